/**
 * Learning-rate schedules: the learning rate to use at a given epoch or iteration.
 */
import { checkFinite, checkNonNegative, checkPositive, checkVector, type Vector } from './shapes.js';
import type { Offers } from '../registry.js';

/**
 * Step decay: the learning rate α_0 multiplied by γ once for every milestone reached,
 * α = α_0·γ^(number of milestones ≤ epoch). The decay applies from the milestone epoch itself on:
 * with milestones [30, 60, 90], epoch 30 already uses α_0·γ.
 * @param lr0 The initial learning rate α_0 ≥ 0.
 * @param epoch The current epoch, ≥ 0.
 * @param milestones The epochs at which the rate drops, a vector (e.g. [30, 60, 90]).
 * @param gamma The factor γ > 0.
 * @returns The learning rate at `epoch`.
 * @example lrStep(0.1, 60, [30, 60, 90]) // 0.001
 */
export function lrStep(lr0: number, epoch: number, milestones: Vector, gamma = 0.1): number {
  const F = 'lrStep';
  checkNonNegative(F, 'lr0', lr0);
  checkNonNegative(F, 'epoch', epoch);
  checkVector(F, 'milestones', milestones, true);
  checkPositive(F, 'gamma', gamma);
  let passed = 0;
  for (let i = 0; i < milestones.length; i++) if (milestones[i] <= epoch) passed++;
  return lr0 * Math.pow(gamma, passed);
}

function checkHorizon(fn: string, lr0: number, t: number, T: number): void {
  checkNonNegative(fn, 'lr0', lr0);
  checkPositive(fn, 'T', T);
  checkFinite(fn, 't', t);
  // Past T the formulas stop being a decay (cosine rises again, linear turns negative).
  if (t < 0 || t > T) throw new RangeError(`${fn}: t=${t} must be in [0, T] = [0, ${T}]`);
}

/**
 * Cosine decay α_t = ½·α_0·(1 + cos(π·t/T)), from α_0 at t = 0 to 0 at t = T.
 * @param lr0 The initial learning rate α_0 ≥ 0.
 * @param t The current step or epoch, in [0, T].
 * @param T The total number of steps or epochs, > 0.
 * @returns α_t.
 * @example lrCosine(0.1, 50, 100) // 0.05
 */
export function lrCosine(lr0: number, t: number, T: number): number {
  checkHorizon('lrCosine', lr0, t, T);
  return 0.5 * lr0 * (1 + Math.cos((Math.PI * t) / T));
}

/**
 * Linear decay α_t = α_0·(1 − t/T), from α_0 at t = 0 to 0 at t = T.
 * @param lr0 The initial learning rate α_0 ≥ 0.
 * @param t The current step or epoch, in [0, T].
 * @param T The total number of steps or epochs, > 0.
 * @returns α_t.
 * @example lrLinear(0.1, 25, 100) // 0.075
 */
export function lrLinear(lr0: number, t: number, T: number): number {
  checkHorizon('lrLinear', lr0, t, T);
  return lr0 * (1 - t / T);
}

/**
 * Inverse square root decay α_t = α_0/√t.
 * @param lr0 The initial learning rate α_0 ≥ 0.
 * @param t The current step, ≥ 1.
 * @returns α_t.
 * @example lrInvSqrt(0.1, 4) // 0.05
 */
export function lrInvSqrt(lr0: number, t: number): number {
  const F = 'lrInvSqrt';
  checkNonNegative(F, 'lr0', lr0);
  checkFinite(F, 't', t);
  if (t < 1) throw new RangeError(`${F}: t=${t} must be ≥ 1 (lr0/√t blows up as t → 0)`);
  return lr0 / Math.sqrt(t);
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { lrStep, lrCosine, lrLinear, lrInvSqrt } satisfies Offers;
