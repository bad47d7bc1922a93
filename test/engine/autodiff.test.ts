import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateGraph, gradient, MAX_EXPRESSION_DEPTH, parseGraph, valueAndGradient } from '../../src/engine/autodiff.js';
import { ref, relClose } from './nn/helpers.js';

describe('gradient: the examples of the backprop notes', () => {
  it('f = (x + y)·z at x = −2, y = 5, z = −4', () => {
    expect(gradient('(x + y) * z', { x: -2, y: 5, z: -4 })).toEqual({ x: -4, y: -4, z: 3 });
    expect(evaluateGraph('(x + y) * z', { x: -2, y: 5, z: -4 })).toBe(-12);
  });

  it('the 2-D sigmoid neuron', () => {
    const point = { w0: 2, x0: -1, w1: -3, x1: -2, w2: -3 };
    const { value, grad } = valueAndGradient('1/(1+exp(-(w0*x0+w1*x1+w2)))', point);
    expect(value).toBeCloseTo(ref.neuronValue, 14);
    for (const k of Object.keys(point)) expect(grad[k]).toBeCloseTo(ref.neuron[k], 14);
    // The rounded values quoted in the notes.
    expect(grad.w0).toBeCloseTo(-0.2, 1);
    expect(grad.x0).toBeCloseTo(0.39, 2);
    expect(grad.w1).toBeCloseTo(-0.39, 2);
    expect(grad.x1).toBeCloseTo(-0.59, 2);
    expect(grad.w2).toBeCloseTo(0.2, 1);
    // The same neuron through the sigmoid gate.
    const viaGate = gradient('sigmoid(w0*x0 + w1*x1 + w2)', point);
    for (const k of Object.keys(point)) expect(viaGate[k]).toBeCloseTo(ref.neuron[k], 14);
  });

  it('a max gate routes the gradient to the larger input (f = 2(xy + max(z, w)))', () => {
    expect(gradient('2*(x*y + max(z, w))', { x: 3, y: -4, z: 2, w: -1 })).toEqual({ x: -8, y: 6, z: 2, w: 0 });
    expect(gradient('2*(x*y + max(z, w))', { x: 3, y: -4, z: -2, w: -1 })).toEqual({ x: -8, y: 6, z: 0, w: 2 });
  });
});

describe('gradient: gates and kinks', () => {
  it('max/min send a tie to the first argument', () => {
    expect(gradient('max(x, y)', { x: 1, y: 1 })).toEqual({ x: 1, y: 0 });
    expect(gradient('max(x, y, z)', { x: 0, y: 2, z: 2 })).toEqual({ x: 0, y: 1, z: 0 });
    expect(gradient('min(x, y, z)', { x: 3, y: 1, z: 1 })).toEqual({ x: 0, y: 1, z: 0 });
    expect(gradient('max(x)', { x: 5 })).toEqual({ x: 1 });
  });

  it("relu'(0) = 0 and abs'(0) = 0", () => {
    expect(gradient('relu(x)', { x: 0 })).toEqual({ x: 0 });
    expect(gradient('relu(x)', { x: 2 })).toEqual({ x: 1 });
    expect(gradient('abs(x)', { x: 0 })).toEqual({ x: 0 });
    expect(gradient('abs(x)', { x: -2 })).toEqual({ x: -1 });
  });

  it('accumulates the gradient of a node used more than once', () => {
    expect(gradient('x*x', { x: 3 })).toEqual({ x: 6 });
    expect(gradient('x*x*x + x', { x: 2 })).toEqual({ x: 13 });
    expect(gradient('(x + y) * (x - y)', { x: 3, y: 2 })).toEqual({ x: 6, y: -4 });
  });

  it('differentiates each elementary function', () => {
    const at = (e: string, x: number) => gradient(e, { x }).x;
    expect(at('exp(x)', 1)).toBeCloseTo(Math.E, 14);
    expect(at('log(x)', 4)).toBe(0.25);
    expect(at('sqrt(x)', 4)).toBe(0.25);
    expect(at('tanh(x)', 0.5)).toBeCloseTo(1 - Math.tanh(0.5) ** 2, 15);
    expect(at('sigmoid(x)', 0)).toBe(0.25);
    expect(at('1/x', 2)).toBe(-0.25);
    expect(at('x^3', 2)).toBe(12);
    expect(at('2^x', 3)).toBeCloseTo(8 * Math.LN2, 14);
    expect(at('x^0', 0)).toBe(0);
    expect(at('x^2', 0)).toBe(0);
    expect(at('x - 5', 1)).toBe(1);
    expect(at('5 - x', 1)).toBe(-1);
  });

  it('differentiates x^y in both arguments (sympy)', () => {
    const { value, grad } = valueAndGradient('a^b', { a: 1.7, b: 2.3 });
    expect(value).toBeCloseTo(ref.pow.value, 13);
    expect(grad.a).toBeCloseTo(ref.pow.a, 13);
    expect(grad.b).toBeCloseTo(ref.pow.b, 13);
  });

  it('matches sympy on a composite expression', () => {
    const e = 'log(1 + a^2) * tanh(b) / sqrt(a^2 + b^2) - exp(-a*b) + (a - 2*b)^3';
    const { value, grad } = valueAndGradient(e, { a: 0.7, b: -1.3 });
    expect(value).toBeCloseTo(ref.composite.value, 12);
    expect(grad.a).toBeCloseTo(ref.composite.a, 12);
    expect(grad.b).toBeCloseTo(ref.composite.b, 12);
  });
});

describe('parsing', () => {
  const val = (e: string, point: Record<string, number> = {}) => evaluateGraph(e, point);

  it('follows the usual precedence and associativity', () => {
    expect(val('-x^2', { x: 3 })).toBe(-9);
    expect(val('2^3^2')).toBe(512);
    expect(val('2^-1')).toBe(0.5);
    expect(val('-2^2')).toBe(-4);
    expect(val('(-2)^2')).toBe(4);
    expect(val('10 - 4 - 3')).toBe(3);
    expect(val('64 / 4 / 2')).toBe(8);
    expect(val('1 + 2 * 3')).toBe(7);
    expect(val('2 * -3')).toBe(-6);
    expect(val('--2 + +3')).toBe(5);
    expect(val('x - -y', { x: 1, y: 2 })).toBe(3);
    expect(gradient('-x^2', { x: 3 })).toEqual({ x: -6 });
  });

  it('reads numbers in decimal and scientific notation', () => {
    expect(val('1.5e-3 * 2')).toBe(0.003);
    expect(val('2E+2 + .5 + 3.')).toBe(203.5);
    expect(val(' 1\t+\n2 ')).toBe(3);
  });

  it('returns 0 for variables of the point that the expression does not use', () => {
    expect(gradient('2*x', { x: 1, y: 7, z: 0 })).toEqual({ x: 2, y: 0, z: 0 });
    expect(gradient('3', { x: 1 })).toEqual({ x: 0 });
    expect(valueAndGradient('x * x', { x: 3 })).toEqual({ value: 9, grad: { x: 6 } });
  });

  it('caches graphs by expression string', () => {
    const g = parseGraph('x*y + max(x, y)');
    expect(parseGraph('x*y + max(x, y)')).toBe(g);
    expect(g.variables).toEqual(['x', 'y']);
    expect(gradient(g, { x: 2, y: 1 })).toEqual({ x: 2, y: 2 });
  });

  it('folds constant subexpressions', () => {
    expect(parseGraph('2*3 + x').op.length).toBe(3);
  });

  it('reports syntax errors with their position', () => {
    const cases: Array<[string, string]> = [
      ['foo(x)', `gradient: at position 1 of "foo(x)": unknown function 'foo'`],
      ['x + ', 'gradient: at position 5 of "x + ": unexpected end of expression'],
      ['((x)', `gradient: at position 5 of "((x)": missing ')' to close the '(' at position 1`],
      ['2x', `gradient: at position 2 of "2x": unexpected 'x'`],
      ['x**2', `gradient: at position 2 of "x**2": '**' is not an operator; use '^' for powers`],
      ['x $ y', `gradient: at position 3 of "x $ y": unexpected '$'`],
      ['', 'gradient: at position 1 of "": unexpected end of expression'],
      ['max()', 'gradient: at position 1 of "max()": max() needs at least one argument'],
      ['exp(x, y)', 'gradient: at position 1 of "exp(x, y)": exp takes 1 argument, got 2'],
      ['exp + x', `gradient: at position 1 of "exp + x": 'exp' is a function; call it as exp(…)`],
      ['x)', `gradient: at position 2 of "x)": unexpected ')'`],
      ['log(0)', 'gradient: at position 1 of "log(0)": log of constants is not finite (log(0) = -Infinity)'],
      ['1/0', 'gradient: at position 2 of "1/0": division of constants is not finite (1 / 0 = Infinity)'],
      ['1e999', `gradient: at position 1 of "1e999": number '1e999' is out of range`],
      ['.', `gradient: at position 1 of ".": a lone '.' is not a number`],
    ];
    for (const [expr, message] of cases) {
      expect(() => gradient(expr, { x: 1, y: 1 }), expr).toThrow(SyntaxError);
      expect(() => gradient(expr, { x: 1, y: 1 }), expr).toThrow(message);
    }
  });

  it('reports unknown variables with their position', () => {
    expect(() => gradient('x + q*2', { x: 1 })).toThrow(RangeError);
    expect(() => gradient('x + q*2', { x: 1 })).toThrow(`gradient: at position 5 of "x + q*2": unknown variable 'q' (the point has x)`);
    expect(() => gradient('toString', {})).toThrow(`unknown variable 'toString' (the point has no variables)`);
  });

  it('quotes only the neighbourhood of the position in long expressions', () => {
    const long = 'x + '.repeat(50) + 'q';
    expect(() => gradient(long, { x: 1 })).toThrow(/^gradient: at position 201 of …"\+ x \+ x .*\+ q": unknown variable 'q'/);
  });

  it('caps length and nesting depth', () => {
    expect(() => gradient('x+'.repeat(500) + 'x', { x: 1 })).toThrow('gradient: the expression is 1001 characters long; the limit is 1000');
    expect(gradient('x+'.repeat(499) + 'x', { x: 1 })).toEqual({ x: 500 });
    const nested = (n: number) => '('.repeat(n) + 'x' + ')'.repeat(n);
    expect(MAX_EXPRESSION_DEPTH).toBe(64);
    expect(gradient(nested(64), { x: 1 })).toEqual({ x: 1 });
    expect(() => gradient(nested(65), { x: 1 })).toThrow(/nests deeper than 64 levels/);
    expect(gradient('-'.repeat(64) + 'x', { x: 1 })).toEqual({ x: 1 });
    expect(() => gradient('-'.repeat(65) + 'x', { x: 1 })).toThrow(/nests deeper than 64 levels/);
    expect(() => gradient('x' + '^x'.repeat(70), { x: 1 })).toThrow(/nests deeper than 64 levels/);
  });

  it('reports non-finite values and derivatives at the point', () => {
    expect(() => gradient('log(x)', { x: -1 })).toThrow(`gradient: at position 1 of "log(x)": log is not finite at this point (log(-1) = NaN)`);
    expect(() => gradient('1/(x - y)', { x: 1, y: 1 })).toThrow(
      'gradient: at position 2 of "1/(x - y)": division is not finite at this point (1 / 0 = Infinity)',
    );
    expect(() => gradient('sqrt(x)', { x: 0 })).toThrow('gradient: the derivative with respect to x of "sqrt(x)" is not finite at this point (Infinity)');
    // A zero upstream gradient does not turn an infinite local derivative into NaN.
    expect(gradient('relu(y) * sqrt(x)', { x: 0, y: -1 })).toEqual({ x: 0, y: 0 });
  });

  it('validates the point', () => {
    expect(() => gradient('x', { x: NaN })).toThrow('gradient: the value of x must be a finite number, got NaN');
    expect(() => gradient('x', { x: '1' } as unknown as Record<string, number>)).toThrow('the value of x must be a finite number, got string');
    expect(() => gradient('x', null as unknown as Record<string, number>)).toThrow(TypeError);
    expect(() => gradient(42 as unknown as string, { x: 1 })).toThrow('gradient: the expression must be a string (or a graph from parseGraph), got number');
    const fake = { ...parseGraph('x') };
    expect(() => gradient(fake, { x: 1 })).toThrow(TypeError);
  });
});

// Random smooth expressions with a JS twin, to check both the parser (value) and backprop
// (against a central finite difference). Every operation is smooth and bounded enough that
// a depth-4 tree stays finite on [-2, 2]³.
interface Gen {
  src: string;
  f: (p: Record<string, number>) => number;
}
const VARS = ['x', 'y', 'z'] as const;
const leaf: fc.Arbitrary<Gen> = fc.oneof(
  fc.constantFrom(...VARS).map((v): Gen => ({ src: v, f: (p) => p[v] })),
  fc.integer({ min: -20, max: 20 }).map((k): Gen => {
    const c = k / 4;
    return { src: c < 0 ? `(${c})` : `${c}`, f: () => c };
  }),
);
const sig = (t: number) => 1 / (1 + Math.exp(-t));
const unaryOps: Array<[string, (s: string) => string, (t: number) => number]> = [
  ['tanh', (s) => `tanh(${s})`, Math.tanh],
  ['sigmoid', (s) => `sigmoid(${s})`, sig],
  ['exp∘tanh', (s) => `exp(tanh(${s}))`, (t) => Math.exp(Math.tanh(t))],
  ['log1p²', (s) => `log(1 + (${s})^2)`, (t) => Math.log(1 + t * t)],
  ['sqrt1p²', (s) => `sqrt(1 + (${s})^2)`, (t) => Math.sqrt(1 + t * t)],
  ['neg', (s) => `-(${s})`, (t) => -t],
  ['square', (s) => `(${s})^2`, (t) => t * t],
];
const binaryOps: Array<[(a: string, b: string) => string, (a: number, b: number) => number]> = [
  [(a, b) => `(${a}) + (${b})`, (a, b) => a + b],
  [(a, b) => `(${a}) - (${b})`, (a, b) => a - b],
  [(a, b) => `(${a}) * (${b})`, (a, b) => a * b],
  [(a, b) => `(${a}) / (1 + (${b})^2)`, (a, b) => a / (1 + b * b)],
];
const expr: fc.Memo<Gen> = fc.memo((n) => {
  if (n <= 1) return leaf;
  return fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.tuple(fc.integer({ min: 0, max: unaryOps.length - 1 }), expr(n - 1)).map(([i, a]): Gen => {
      const [, s, g] = unaryOps[i];
      return { src: s(a.src), f: (p) => g(a.f(p)) };
    }),
    fc.tuple(fc.integer({ min: 0, max: binaryOps.length - 1 }), expr(n - 1), expr(n - 1)).map(([i, a, b]): Gen => {
      const [s, g] = binaryOps[i];
      return { src: s(a.src, b.src), f: (p) => g(a.f(p), b.f(p)) };
    }),
  );
});
const coord = fc.double({ min: -2, max: 2, noNaN: true });
const pointArb = fc.record({ x: coord, y: coord, z: coord });

describe('properties', () => {
  it('evaluates random expressions like their JS twins', () => {
    fc.assert(
      fc.property(expr(5), pointArb, (e, p) => {
        expect(relClose(evaluateGraph(e.src, p), e.f(p), 1e-12)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('matches central finite differences on random smooth expressions', () => {
    fc.assert(
      fc.property(expr(5), pointArb, (e, p) => {
        const { value, grad } = valueAndGradient(e.src, p);
        expect(relClose(value, e.f(p), 1e-12)).toBe(true);
        for (const v of VARS) {
          const h = 1e-5;
          const fd = (e.f({ ...p, [v]: p[v] + h }) - e.f({ ...p, [v]: p[v] - h })) / (2 * h);
          expect(relClose(grad[v], fd, 1e-5), `${e.src} d/d${v}: ${grad[v]} vs ${fd}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('matches finite differences on kinked expressions away from the kinks', () => {
    const kinked: Array<[string, (p: Record<string, number>) => number, (p: Record<string, number>) => number]> = [
      ['max(x, y) * z', (p) => Math.max(p.x, p.y) * p.z, (p) => Math.abs(p.x - p.y)],
      ['min(x*y, z, 1)', (p) => Math.min(p.x * p.y, p.z, 1), (p) => Math.min(Math.abs(p.x * p.y - p.z), Math.abs(p.z - 1), Math.abs(p.x * p.y - 1))],
      ['relu(x - y) + abs(z)^3', (p) => Math.max(0, p.x - p.y) + Math.abs(p.z) ** 3, (p) => Math.min(Math.abs(p.x - p.y), Math.abs(p.z))],
      ['abs(x * y - z)', (p) => Math.abs(p.x * p.y - p.z), (p) => Math.abs(p.x * p.y - p.z)],
    ];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: kinked.length - 1 }), pointArb, (i, p) => {
        const [src, f, gap] = kinked[i];
        fc.pre(gap(p) > 1e-3);
        const grad = gradient(src, p);
        for (const v of VARS) {
          const h = 1e-6;
          const fd = (f({ ...p, [v]: p[v] + h }) - f({ ...p, [v]: p[v] - h })) / (2 * h);
          expect(relClose(grad[v], fd, 1e-5), `${src} d/d${v}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
