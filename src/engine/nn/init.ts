/**
 * Weight initialization scales for a layer with `din` inputs (fan-in).
 */
import { checkInteger } from './shapes.js';
import type { Offers } from '../registry.js';

/**
 * Xavier/Glorot variance (fan-in form) Var(w) = 1/din, which keeps the activation variance
 * constant across layers for symmetric activations like tanh.
 * @example xavierVariance(4) // 0.25
 */
export function xavierVariance(din: number): number {
  return 1 / checkInteger('xavierVariance', 'din', din, 1);
}

/**
 * Xavier standard deviation std(w) = 1/√din.
 * @example xavierStd(4) // 0.5
 */
export function xavierStd(din: number): number {
  return 1 / Math.sqrt(checkInteger('xavierStd', 'din', din, 1));
}

/**
 * He/Kaiming variance Var(w) = 2/din: ReLU zeroes half its inputs, which the factor 2 offsets.
 * @example heVariance(4) // 0.5
 */
export function heVariance(din: number): number {
  return 2 / checkInteger('heVariance', 'din', din, 1);
}

/**
 * He/Kaiming standard deviation std(w) = √(2/din).
 * @example heStd(8) // 0.5
 */
export function heStd(din: number): number {
  return Math.sqrt(2 / checkInteger('heStd', 'din', din, 1));
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { xavierVariance, xavierStd, heVariance, heStd } satisfies Offers;
