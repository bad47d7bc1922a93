"""Reference values for the nn and autodiff tests, computed independently of the TypeScript code.

numpy for the array formulas, sympy (30-digit evaluation) for derivatives. Regenerate with
    python3 test/engine/nn/reference.py > test/engine/nn/reference.json
"""
import json, math
import numpy as np
import sympy as sp
out = {}
# softmax
s = np.array([3.2, 5.1, -1.7])
e = np.exp(s - s.max()); p = e / e.sum()
out['softmax'] = p.tolist()
out['softmaxLoss0'] = float(-np.log(p[0]))
out['softmaxLoss_big'] = float(np.logaddexp.reduce([1000.0, 0.0, -1000.0]) - (-1000.0))
# optimizers (vector)
x = np.array([1.0, -2.0, 0.5]); dx = np.array([0.3, -0.4, 0.0]); v = np.array([0.1, 0.2, -0.3])
lr, rho = 0.01, 0.9
v1 = rho*v + dx; out['momentum'] = {'x': (x - lr*v1).tolist(), 'v': v1.tolist()}
v1 = rho*v - lr*dx; out['nesterov'] = {'x': (x - rho*v + (1+rho)*v1).tolist(), 'v': v1.tolist()}
cache = np.array([0.5, 0.0, 1.0])
c1 = cache + dx**2; out['adagrad'] = {'x': (x - lr*dx/(np.sqrt(c1)+1e-7)).tolist(), 'cache': c1.tolist()}
c1 = 0.99*cache + 0.01*dx**2; out['rmsprop'] = {'x': (x - lr*dx/(np.sqrt(c1)+1e-7)).tolist(), 'cache': c1.tolist()}
m = np.array([0.01, -0.02, 0.03]); vv = np.array([0.001, 0.0, 0.002]); t = 3; b1, b2 = 0.9, 0.999
m1 = b1*m + (1-b1)*dx; v1 = b2*vv + (1-b2)*dx**2
mh = m1/(1-b1**t); vh = v1/(1-b2**t)
out['adam'] = {'x': (x - lr*mh/(np.sqrt(vh)+1e-7)).tolist(), 'm': m1.tolist(), 'v': v1.tolist()}
# schedules
out['cos'] = [0.5*0.1*(1+math.cos(t*math.pi/100)) for t in (0, 25, 50, 100)]
# activations
X = sp.symbols('x')
gel = 0.5*X*(1+sp.tanh(sp.sqrt(2/sp.pi)*(X+sp.Rational(44715,1000000)*X**3)))
pts = [-3.0, -1.5, -0.2, 0.0, 0.7, 2.5]
out['gelu'] = [float(gel.subs(X, a).evalf(30)) for a in pts]
out['geluGrad'] = [float(sp.diff(gel, X).subs(X, a).evalf(30)) for a in pts]
sig = 1/(1+sp.exp(-X))
out['sigmoid'] = [float(sig.subs(X, a).evalf(30)) for a in pts]
out['sigmoidGrad'] = [float(sp.diff(sig, X).subs(X, a).evalf(30)) for a in pts]
out['tanhGrad'] = [float(sp.diff(sp.tanh(X), X).subs(X, a).evalf(30)) for a in pts]
out['elu'] = [a if a > 0 else 1.5*math.expm1(a) for a in pts]
out['eluGrad'] = [1 if a >= 0 else 1.5*math.exp(a) for a in pts]
# batchnorm
Xb = np.array([[1.0, 2.0], [3.0, -2.0], [5.0, 0.0], [-1.0, 4.0]])
mu = Xb.mean(0); var = Xb.var(0); xh = (Xb-mu)/np.sqrt(var+1e-5)
g = np.array([2.0, 0.5]); b = np.array([0.1, -1.0])
out['bn'] = {'mean': mu.tolist(), 'var': var.tolist(), 'xhat': xh.tolist(), 'out': (g*xh+b).tolist()}
# rnn
Whh = np.array([[0.5, -0.3], [0.1, 0.8]]); Wxh = np.array([[1.0, 0.2, -0.5], [-0.7, 0.4, 0.3]])
h = np.array([0.2, -0.1]); xx = np.array([1.0, 0.5, -2.0])
out['rnn'] = np.tanh(Whh@h + Wxh@xx).tolist()
# lstm H=2 D=1
rng = np.random.default_rng(1)
W = np.round(rng.uniform(-1, 1, (8, 3)), 2); h = np.array([0.3, -0.6]); xx = np.array([0.8]); c = np.array([0.5, -0.25])
z = W @ np.concatenate([h, xx]); sg = lambda q: 1/(1+np.exp(-q))
i, f, o, gg = sg(z[0:2]), sg(z[2:4]), sg(z[4:6]), np.tanh(z[6:8])
c1 = f*c + i*gg; h1 = o*np.tanh(c1)
out['lstm'] = {'W': W.tolist(), 'h': h1.tolist(), 'c': c1.tolist(), 'i': i.tolist(), 'f': f.tolist(), 'o': o.tolist(), 'g': gg.tolist()}
# attention
Xa = np.array([[1.0, 0.0, 2.0], [0.5, -1.0, 0.0], [0.0, 1.0, 1.0]])
Wq = np.array([[1.0, 0.5], [0.0, -1.0], [0.5, 0.2]]); Wk = np.array([[0.3, 0.0], [1.0, 0.4], [-0.2, 0.9]]); Wv = np.array([[1.0], [2.0], [-1.0]])
Q, K, V = Xa@Wq, Xa@Wk, Xa@Wv
E = Q@K.T/np.sqrt(2); A = np.exp(E - E.max(1, keepdims=True)); A /= A.sum(1, keepdims=True)
out['att'] = {'Q': Q.tolist(), 'K': K.tolist(), 'V': V.tolist(), 'weights': A.tolist(), 'Y': (A@V).tolist()}
# positional
out['pe'] = [math.sin(3/10000**(0/6)), math.cos(3/10000**(0/6)), math.sin(3/10000**(2/6)), math.cos(3/10000**(2/6)), math.sin(3/10000**(4/6)), math.cos(3/10000**(4/6))]
# autodiff
w0, x0, w1, x1, w2 = sp.symbols('w0 x0 w1 x1 w2')
fexpr = 1/(1+sp.exp(-(w0*x0+w1*x1+w2)))
at = {w0: 2, x0: -1, w1: -3, x1: -2, w2: -3}
out['neuron'] = {str(s_): float(sp.diff(fexpr, s_).subs(at).evalf(30)) for s_ in (w0, x0, w1, x1, w2)}
out['neuronValue'] = float(fexpr.subs(at).evalf(30))
# a composite
a_, b_ = sp.symbols('a b')
ex = sp.log(1 + a_**2) * sp.tanh(b_) / sp.sqrt(a_**2 + b_**2) - sp.exp(-a_*b_) + (a_ - 2*b_)**3
pt = {a_: 0.7, b_: -1.3}
out['composite'] = {'value': float(ex.subs(pt).evalf(30)), 'a': float(sp.diff(ex, a_).subs(pt).evalf(30)), 'b': float(sp.diff(ex, b_).subs(pt).evalf(30))}
ex2 = a_**b_
pt2 = {a_: 1.7, b_: 2.3}
out['pow'] = {'value': float(ex2.subs(pt2).evalf(30)), 'a': float(sp.diff(ex2, a_).subs(pt2).evalf(30)), 'b': float(sp.diff(ex2, b_).subs(pt2).evalf(30))}
print(json.dumps(out, indent=1))
