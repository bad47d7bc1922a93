/**
 * Activation functions and their derivatives. Each takes a number, a vector or a matrix and
 * applies elementwise, returning the same shape.
 */
import { checkFinite, mapTensor, mapTensor2, type SameShape, type Tensor } from './shapes.js';
import type { Offers } from '../registry.js';

// √(2/π), the constant of the tanh approximation of GELU.
const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

// Two branches so that exp never sees a large positive argument: e^{-x} for x ≥ 0, e^{x} below.
function sigmoid1(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
function sigmoidGrad1(x: number): number {
  const s = sigmoid1(x);
  return s * (1 - s);
}
function tanhGrad1(x: number): number {
  const t = Math.tanh(x);
  return 1 - t * t;
}
function relu1(x: number): number {
  return x > 0 ? x : 0;
}
function reluGrad1(x: number): number {
  return x > 0 ? 1 : 0;
}
function leakyRelu1(x: number, slope: number): number {
  return x > 0 ? x : slope * x;
}
function leakyReluGrad1(x: number, slope: number): number {
  return x > 0 ? 1 : slope;
}
function gelu1(x: number): number {
  return 0.5 * x * (1 + Math.tanh(GELU_C * (x + GELU_A * x * x * x)));
}
function geluGrad1(x: number): number {
  const t = Math.tanh(GELU_C * (x + GELU_A * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * x * x);
}
// expm1 keeps α(eˣ − 1) accurate for x just below 0, where eˣ − 1 would cancel.
function elu1(x: number, alpha: number): number {
  return x > 0 ? x : alpha * Math.expm1(x);
}
function eluGrad1(x: number, alpha: number): number {
  return x >= 0 ? 1 : alpha * Math.exp(x);
}

/**
 * Logistic sigmoid σ(x) = 1/(1 + e^{−x}), elementwise. Squashes any input into (0, 1).
 * @param x A number, vector or matrix.
 * @returns σ of each element.
 * @example sigmoid(0) // 0.5
 * @example sigmoid([-1, 0, 1]) // [0.268941, 0.5, 0.731059]
 */
export function sigmoid<T extends Tensor>(x: T): SameShape<T> {
  return mapTensor('sigmoid', x, sigmoid1);
}

/**
 * Derivative of the sigmoid, σ'(x) = σ(x)(1 − σ(x)), elementwise: the local gradient a sigmoid
 * gate passes back. It is at most 1/4 (at x = 0), and near 0 for large |x| (saturation).
 * @param x A number, vector or matrix: the sigmoid's input, not its output.
 * @returns σ'(x) of each element.
 * @example sigmoidGrad(0) // 0.25
 */
export function sigmoidGrad<T extends Tensor>(x: T): SameShape<T> {
  return mapTensor('sigmoidGrad', x, sigmoidGrad1);
}

/**
 * Hyperbolic tangent tanh(x) = (eˣ − e^{−x})/(eˣ + e^{−x}), elementwise. Zero-centred, in (−1, 1).
 * Unlike mathjs's own `tanh` it also takes a vector or a matrix.
 * @param x A number, vector or matrix.
 * @returns tanh of each element.
 * @example tanh(0) // 0
 * @example tanh([-1, 1]) // [-0.761594, 0.761594]
 */
export function tanh<T extends Tensor>(x: T): SameShape<T> {
  return mapTensor('tanh', x, Math.tanh);
}

/**
 * Derivative of tanh, tanh'(x) = 1 − tanh²(x), elementwise: at most 1 (at x = 0).
 * @param x A number, vector or matrix: tanh's input, not its output.
 * @returns tanh'(x) of each element.
 * @example tanhGrad(0) // 1
 */
export function tanhGrad<T extends Tensor>(x: T): SameShape<T> {
  return mapTensor('tanhGrad', x, tanhGrad1);
}

/**
 * Rectified linear unit ReLU(x) = max(0, x), elementwise. (mathjs's `max(v, 0)` does not do
 * this: its second argument is a dimension.)
 * @param x A number, vector or matrix.
 * @returns max(0, x) of each element.
 * @example relu([-1, 2]) // [0, 2]
 */
export function relu<T extends Tensor>(x: T): SameShape<T> {
  return mapTensor('relu', x, relu1);
}

/**
 * Derivative of ReLU: 1 where x > 0, else 0, elementwise. At the kink x = 0 it is taken as 0.
 * @param x A number, vector or matrix: ReLU's input.
 * @returns 0 or 1 for each element.
 * @example reluGrad([-1, 0, 2]) // [0, 0, 1]
 */
export function reluGrad<T extends Tensor>(x: T): SameShape<T> {
  return mapTensor('reluGrad', x, reluGrad1);
}

/**
 * Leaky ReLU: x where x > 0, else slope·x, elementwise; with the default slope 0.1 this is
 * max(0.1x, x).
 * @param x A number, vector or matrix.
 * @param slope The slope for negative inputs.
 * @returns Leaky ReLU of each element.
 * @example leakyRelu(-2) // -0.2
 * @example leakyRelu([-2, 3], 0.01) // [-0.02, 3]
 */
export function leakyRelu<T extends Tensor>(x: T, slope = 0.1): SameShape<T> {
  checkFinite('leakyRelu', 'slope', slope);
  return mapTensor2('leakyRelu', x, leakyRelu1, slope);
}

/**
 * Derivative of leaky ReLU: 1 where x > 0, else slope, elementwise (slope at the kink x = 0).
 * @param x A number, vector or matrix: leaky ReLU's input.
 * @param slope The slope for negative inputs.
 * @returns 1 or slope for each element.
 * @example leakyReluGrad([-2, 0, 3]) // [0.1, 0.1, 1]
 */
export function leakyReluGrad<T extends Tensor>(x: T, slope = 0.1): SameShape<T> {
  checkFinite('leakyReluGrad', 'slope', slope);
  return mapTensor2('leakyReluGrad', x, leakyReluGrad1, slope);
}

/**
 * GELU, in the tanh approximation of the lecture: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))),
 * elementwise.
 * @param x A number, vector or matrix.
 * @returns GELU of each element.
 * @example gelu(1) // 0.841192
 */
export function gelu<T extends Tensor>(x: T): SameShape<T> {
  return mapTensor('gelu', x, gelu1);
}

/**
 * Exact derivative of the tanh-form GELU, elementwise: with u = √(2/π)(x + 0.044715x³),
 * 0.5(1 + tanh u) + 0.5·x·(1 − tanh² u)·√(2/π)(1 + 3·0.044715x²).
 * @param x A number, vector or matrix: GELU's input.
 * @returns The derivative at each element.
 * @example geluGrad(0) // 0.5
 */
export function geluGrad<T extends Tensor>(x: T): SameShape<T> {
  return mapTensor('geluGrad', x, geluGrad1);
}

/**
 * Exponential linear unit: x where x > 0, else α(eˣ − 1), elementwise. Negative outputs level off
 * at −α.
 * @param x A number, vector or matrix.
 * @param alpha α.
 * @returns ELU of each element.
 * @example elu(-1) // -0.632121
 */
export function elu<T extends Tensor>(x: T, alpha = 1): SameShape<T> {
  checkFinite('elu', 'alpha', alpha);
  return mapTensor2('elu', x, elu1, alpha);
}

/**
 * Derivative of ELU: 1 where x ≥ 0, else α·eˣ, elementwise.
 * @param x A number, vector or matrix: ELU's input.
 * @param alpha α.
 * @returns The derivative at each element.
 * @example eluGrad(-1) // 0.367879
 */
export function eluGrad<T extends Tensor>(x: T, alpha = 1): SameShape<T> {
  checkFinite('eluGrad', 'alpha', alpha);
  return mapTensor2('eluGrad', x, eluGrad1, alpha);
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { sigmoid, sigmoidGrad, tanh, tanhGrad, relu, reluGrad, leakyRelu, leakyReluGrad, gelu, geluGrad, elu, eluGrad } satisfies Offers;
