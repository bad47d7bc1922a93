/**
 * Weight initialization scales for a layer with `din` inputs (fan-in).
 */
import { checkInteger } from './shapes.js';
import type { Offers } from '../registry.js';

/**
 * Xavier/Glorot initialization variance Var(w) = 1/D_in for a layer with D_in inputs. Since
 * Var(y) = D_in·Var(x)·Var(w) for y = Σ x_i w_i, it keeps the activations' variance the same from
 * layer to layer (for symmetric activations such as tanh).
 * @param din The fan-in D_in: an integer ≥ 1.
 * @returns 1/D_in.
 * @example xavierVariance(4) // 0.25
 */
export function xavierVariance(din: number): number {
  return 1 / checkInteger('xavierVariance', 'din', din, 1);
}

/**
 * Xavier/Glorot initialization standard deviation std(w) = 1/√D_in (the `/ np.sqrt(Din)` of the
 * lecture's code).
 * @param din The fan-in D_in: an integer ≥ 1.
 * @returns 1/√D_in.
 * @example xavierStd(4) // 0.5
 */
export function xavierStd(din: number): number {
  return 1 / Math.sqrt(checkInteger('xavierStd', 'din', din, 1));
}

/**
 * He/Kaiming initialization variance Var(w) = 2/D_in, for ReLU layers: ReLU zeroes half of its
 * inputs, which the factor 2 makes up for.
 * @param din The fan-in D_in: an integer ≥ 1.
 * @returns 2/D_in.
 * @example heVariance(4) // 0.5
 */
export function heVariance(din: number): number {
  return 2 / checkInteger('heVariance', 'din', din, 1);
}

/**
 * He/Kaiming initialization standard deviation std(w) = √(2/D_in).
 * @param din The fan-in D_in: an integer ≥ 1.
 * @returns √(2/D_in).
 * @example heStd(8) // 0.5
 */
export function heStd(din: number): number {
  return Math.sqrt(2 / checkInteger('heStd', 'din', din, 1));
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { xavierVariance, xavierStd, heVariance, heStd } satisfies Offers;
