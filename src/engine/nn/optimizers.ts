/**
 * One update step of the first-order optimizers. Every state argument (x, v, cache, m, dx)
 * is a number, a vector or a matrix, all of the same shape; the update is elementwise and
 * the result has that shape. Inputs are not mutated: the new state is returned.
 */
import {
  checkFraction,
  checkInteger,
  checkNonNegative,
  checkPositive,
  checkSameShape,
  checkTensor,
  flatten,
  reshape,
  type Matrix,
  type SameShape,
  type Tensor,
  type Vector,
} from './shapes.js';
import type { Offers } from '../registry.js';

// Matrices are updated by flattening every operand, running the vector code and cutting the
// results back into rows: one code path per optimizer, and matrices are rare in practice.
function asVector(t: Tensor): Vector {
  const a = t as Vector | Matrix;
  return Array.isArray(a[0]) ? flatten(a as Matrix) : (a as Vector);
}

function like<T extends Tensor>(ref: T, v: Vector): SameShape<T> {
  if (Array.isArray((ref as Vector | Matrix)[0])) {
    const M = ref as Matrix;
    return reshape(v, M.length, M[0].length) as SameShape<T>;
  }
  return v as SameShape<T>;
}

function checkNonNegativeState(fn: string, name: string, s: Vector): void {
  for (let i = 0; i < s.length; i++) {
    if (s[i] < 0) throw new RangeError(`${fn}: ${name} holds running squares and cannot be negative (element ${i} is ${s[i]})`);
  }
}

/**
 * One step of vanilla (stochastic) gradient descent, x_{t+1} = x_t − α·dx, with dx = ∇f(x_t).
 * @param x The parameters x_t: a number, vector or matrix.
 * @param dx The gradient ∇f(x_t).
 * @param lr The learning rate α ≥ 0.
 * @returns The new parameters x_{t+1}.
 * @example sgdStep([1, 2], [0.5, -1], 0.1) // [0.95, 2.1]
 */
export function sgdStep<T extends Tensor>(x: T, dx: SameShape<T>, lr: number): SameShape<T> {
  const F = 'sgdStep';
  checkNonNegative(F, 'lr', lr);
  const rank = checkTensor(F, 'x', x);
  checkSameShape(F, 'dx', dx, 'x', x);
  if (rank === 0) return ((x as number) - lr * (dx as number)) as SameShape<T>;
  const xv = asVector(x);
  const dv = asVector(dx);
  const out = new Array<number>(xv.length);
  for (let i = 0; i < xv.length; i++) out[i] = xv[i] - lr * dv[i];
  return like(x, out);
}

/** State returned by `momentumStep` and `nesterovStep`. */
export interface VelocityState<T extends Tensor> {
  /** The new parameters x_{t+1}. */
  x: SameShape<T>;
  /** The new velocity v_{t+1}, to pass to the next step. */
  v: SameShape<T>;
}

/**
 * One step of SGD with momentum: v_{t+1} = ρ·v_t + dx; x_{t+1} = x_t − α·v_{t+1}. The velocity v
 * is a running sum of gradients; start it at 0 (zeros of x's shape).
 * @param x The parameters x_t: a number, vector or matrix.
 * @param v The velocity v_t.
 * @param dx The gradient ∇f(x_t).
 * @param lr The learning rate α ≥ 0.
 * @param rho The momentum ρ, in [0, 1) (typically 0.9 or 0.99).
 * @returns The new parameters x_{t+1} and velocity v_{t+1}.
 * @example momentumStep(1, 0.5, 2, 0.1, 0.9).x // 0.755
 * @example momentumStep(1, 0.5, 2, 0.1, 0.9).v // 2.45
 */
export function momentumStep<T extends Tensor>(x: T, v: SameShape<T>, dx: SameShape<T>, lr: number, rho: number): VelocityState<T> {
  const F = 'momentumStep';
  checkNonNegative(F, 'lr', lr);
  checkFraction(F, 'rho', rho);
  const rank = checkTensor(F, 'x', x);
  checkSameShape(F, 'v', v, 'x', x);
  checkSameShape(F, 'dx', dx, 'x', x);
  if (rank === 0) {
    const v1 = rho * (v as number) + (dx as number);
    return { x: ((x as number) - lr * v1) as SameShape<T>, v: v1 as SameShape<T> };
  }
  const xv = asVector(x);
  const vv = asVector(v);
  const dv = asVector(dx);
  const n = xv.length;
  const ox = new Array<number>(n);
  const ov = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const v1 = rho * vv[i] + dv[i];
    ov[i] = v1;
    ox[i] = xv[i] - lr * v1;
  }
  return { x: like(x, ox), v: like(x, ov) };
}

/**
 * One step of Nesterov momentum, in the "look-ahead" variable x̃ of the lecture:
 * v_{t+1} = ρ·v_t − α·dx; x̃_{t+1} = x̃_t − ρ·v_t + (1 + ρ)·v_{t+1}, with dx = ∇f(x̃_t). Note the
 * sign: here the velocity already includes −α.
 * @param x The parameters x̃_t: a number, vector or matrix.
 * @param v The velocity v_t.
 * @param dx The gradient ∇f(x̃_t).
 * @param lr The learning rate α ≥ 0.
 * @param rho The momentum ρ, in [0, 1).
 * @returns The new parameters x̃_{t+1} and velocity v_{t+1}.
 * @example nesterovStep(1, 0.5, 2, 0.1, 0.9).x // 1.025
 * @example nesterovStep(1, 0.5, 2, 0.1, 0.9).v // 0.25
 */
export function nesterovStep<T extends Tensor>(x: T, v: SameShape<T>, dx: SameShape<T>, lr: number, rho: number): VelocityState<T> {
  const F = 'nesterovStep';
  checkNonNegative(F, 'lr', lr);
  checkFraction(F, 'rho', rho);
  const rank = checkTensor(F, 'x', x);
  checkSameShape(F, 'v', v, 'x', x);
  checkSameShape(F, 'dx', dx, 'x', x);
  if (rank === 0) {
    const v0 = v as number;
    const v1 = rho * v0 - lr * (dx as number);
    return { x: ((x as number) - rho * v0 + (1 + rho) * v1) as SameShape<T>, v: v1 as SameShape<T> };
  }
  const xv = asVector(x);
  const vv = asVector(v);
  const dv = asVector(dx);
  const n = xv.length;
  const ox = new Array<number>(n);
  const ov = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const v0 = vv[i];
    const v1 = rho * v0 - lr * dv[i];
    ov[i] = v1;
    ox[i] = xv[i] - rho * v0 + (1 + rho) * v1;
  }
  return { x: like(x, ox), v: like(x, ov) };
}

/** State returned by `adagradStep` and `rmspropStep`. */
export interface CacheState<T extends Tensor> {
  /** The new parameters. */
  x: SameShape<T>;
  /** The new grad_squared (running sum or average of squared gradients), to pass to the next step. */
  cache: SameShape<T>;
}

/**
 * One step of AdaGrad: grad_squared' = grad_squared + dx²; x' = x − α·dx / (√grad_squared' + ε),
 * elementwise. Each parameter's step shrinks as its squared gradients accumulate.
 * @param x The parameters: a number, vector or matrix.
 * @param cache The running sum of squared gradients (grad_squared), every element ≥ 0;
 * start it at 0.
 * @param dx The gradient.
 * @param lr The learning rate α ≥ 0.
 * @param eps ε > 0.
 * @returns The new parameters and the new grad_squared.
 * @example adagradStep(1, 0, 2, 0.1).x // 0.9
 * @example adagradStep(1, 0, 2, 0.1).cache // 4
 */
export function adagradStep<T extends Tensor>(x: T, cache: SameShape<T>, dx: SameShape<T>, lr: number, eps = 1e-7): CacheState<T> {
  return squaresStep('adagradStep', x, cache, dx, lr, 1, 1, eps);
}

/**
 * One step of RMSProp: grad_squared' = d·grad_squared + (1 − d)·dx²;
 * x' = x − α·dx / (√grad_squared' + ε), elementwise, with the decay rate d. Unlike AdaGrad the old
 * squares fade, so the steps do not shrink to nothing.
 * @param x The parameters: a number, vector or matrix.
 * @param cache The running average of squared gradients (grad_squared), every element ≥ 0;
 * start it at 0.
 * @param dx The gradient.
 * @param lr The learning rate α ≥ 0.
 * @param decay The decay rate d, in [0, 1) (typically 0.9 or 0.99).
 * @param eps ε > 0.
 * @returns The new parameters and the new grad_squared.
 * @example rmspropStep(1, 0, 2, 0.1, 0.9).x // 0.683772
 * @example rmspropStep(1, 0, 2, 0.1, 0.9).cache // 0.4
 */
export function rmspropStep<T extends Tensor>(x: T, cache: SameShape<T>, dx: SameShape<T>, lr: number, decay: number, eps = 1e-7): CacheState<T> {
  checkFraction('rmspropStep', 'decay', decay);
  return squaresStep('rmspropStep', x, cache, dx, lr, decay, 1 - decay, eps);
}

// AdaGrad is RMSProp with the old cache kept whole (keep = 1) and the new square unscaled (add = 1).
function squaresStep<T extends Tensor>(
  F: string,
  x: T,
  cache: SameShape<T>,
  dx: SameShape<T>,
  lr: number,
  keep: number,
  add: number,
  eps: number,
): CacheState<T> {
  checkNonNegative(F, 'lr', lr);
  checkPositive(F, 'eps', eps);
  const rank = checkTensor(F, 'x', x);
  checkSameShape(F, 'cache', cache, 'x', x);
  checkSameShape(F, 'dx', dx, 'x', x);
  if (rank === 0) {
    const c0 = cache as number;
    if (c0 < 0) throw new RangeError(`${F}: cache holds running squares and cannot be negative, got ${c0}`);
    const g = dx as number;
    const c1 = keep * c0 + add * g * g;
    return { x: ((x as number) - (lr * g) / (Math.sqrt(c1) + eps)) as SameShape<T>, cache: c1 as SameShape<T> };
  }
  const xv = asVector(x);
  const cv = asVector(cache);
  const dv = asVector(dx);
  checkNonNegativeState(F, 'cache', cv);
  const n = xv.length;
  const ox = new Array<number>(n);
  const oc = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const g = dv[i];
    const c1 = keep * cv[i] + add * g * g;
    oc[i] = c1;
    ox[i] = xv[i] - (lr * g) / (Math.sqrt(c1) + eps);
  }
  return { x: like(x, ox), cache: like(x, oc) };
}

/** State returned by `adamStep`: the new parameters and the (biased) moment estimates. */
export interface AdamState<T extends Tensor> {
  /** The new parameters. */
  x: SameShape<T>;
  /** The new first moment m' (biased: before the correction), to pass to the next step. */
  m: SameShape<T>;
  /** The new second moment v' (biased), to pass to the next step. */
  v: SameShape<T>;
}

/**
 * One step of Adam with bias correction, at step t = 1, 2, …:
 * m' = β₁·m + (1 − β₁)·dx; v' = β₂·v + (1 − β₂)·dx² (the first and second moments);
 * m̂ = m'/(1 − β₁^t); v̂ = v'/(1 − β₂^t) (the unbiased moments); x' = x − α·m̂ / (√v̂ + ε).
 * @param x The parameters: a number, vector or matrix.
 * @param m The first moment m (start at 0).
 * @param v The second moment v (start at 0), every element ≥ 0.
 * @param dx The gradient.
 * @param t The step number: an integer ≥ 1 (the first step is t = 1).
 * @param lr The learning rate α ≥ 0.
 * @param beta1 β₁, in [0, 1) (typically 0.9).
 * @param beta2 β₂, in [0, 1) (typically 0.999).
 * @param eps ε > 0.
 * @returns The new parameters and the new biased moments m', v' (the
 * state for the next step; the unbiased m̂ and v̂ are not returned).
 * @example adamStep(1, 0, 0, 2, 1, 0.1, 0.9, 0.999).x // 0.9
 * @example adamStep(1, 0, 0, 2, 1, 0.1, 0.9, 0.999).m // 0.2
 */
export function adamStep<T extends Tensor>(
  x: T,
  m: SameShape<T>,
  v: SameShape<T>,
  dx: SameShape<T>,
  t: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps = 1e-7,
): AdamState<T> {
  const F = 'adamStep';
  checkInteger(F, 't', t, 1);
  checkNonNegative(F, 'lr', lr);
  checkFraction(F, 'beta1', beta1);
  checkFraction(F, 'beta2', beta2);
  checkPositive(F, 'eps', eps);
  const rank = checkTensor(F, 'x', x);
  checkSameShape(F, 'm', m, 'x', x);
  checkSameShape(F, 'v', v, 'x', x);
  checkSameShape(F, 'dx', dx, 'x', x);
  const bc1 = 1 - Math.pow(beta1, t);
  const bc2 = 1 - Math.pow(beta2, t);
  if (rank === 0) {
    const v0 = v as number;
    if (v0 < 0) throw new RangeError(`${F}: v holds running squares and cannot be negative, got ${v0}`);
    const g = dx as number;
    const m1 = beta1 * (m as number) + (1 - beta1) * g;
    const v1 = beta2 * v0 + (1 - beta2) * g * g;
    const x1 = (x as number) - (lr * (m1 / bc1)) / (Math.sqrt(v1 / bc2) + eps);
    return { x: x1 as SameShape<T>, m: m1 as SameShape<T>, v: v1 as SameShape<T> };
  }
  const xv = asVector(x);
  const mv = asVector(m);
  const vv = asVector(v);
  const dv = asVector(dx);
  checkNonNegativeState(F, 'v', vv);
  const n = xv.length;
  const ox = new Array<number>(n);
  const om = new Array<number>(n);
  const ov = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const g = dv[i];
    const m1 = beta1 * mv[i] + (1 - beta1) * g;
    const v1 = beta2 * vv[i] + (1 - beta2) * g * g;
    om[i] = m1;
    ov[i] = v1;
    ox[i] = xv[i] - (lr * (m1 / bc1)) / (Math.sqrt(v1 / bc2) + eps);
  }
  return { x: like(x, ox), m: like(x, om), v: like(x, ov) };
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { sgdStep, momentumStep, nesterovStep, adagradStep, rmspropStep, adamStep } satisfies Offers;
