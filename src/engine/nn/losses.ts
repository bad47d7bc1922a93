/**
 * Classification losses of one example: multiclass SVM (hinge) and softmax cross-entropy.
 * Class labels are 0-based indices into the score vector.
 */
import { logSumExpUnchecked, softmaxUnchecked } from './kernels.js';
import { checkFinite, checkVector, type Vector } from './shapes.js';
import type { Offers } from '../registry.js';

function checkLabel(fn: string, y: unknown, classes: number): number {
  if (typeof y !== 'number' || !Number.isInteger(y)) {
    throw new RangeError(`${fn}: y must be an integer class index (0-based), got ${typeof y === 'number' ? y : typeof y}`);
  }
  if (y < 0 || y >= classes) throw new RangeError(`${fn}: y=${y} is out of range for ${classes} scores`);
  return y;
}

/**
 * Multiclass SVM loss L = Σ_{j≠y} max(0, s_j − s_y + Δ), Δ = margin (default 1).
 * @example svmLoss([3.2, 5.1, -1.7], 0) // 2.9
 */
export function svmLoss(scores: Vector, y: number, margin = 1): number {
  const F = 'svmLoss';
  checkVector(F, 'scores', scores);
  checkLabel(F, y, scores.length);
  checkFinite(F, 'margin', margin);
  const sy = scores[y];
  let loss = 0;
  for (let j = 0; j < scores.length; j++) {
    if (j === y) continue;
    const m = scores[j] - sy + margin;
    if (m > 0) loss += m;
  }
  return loss;
}

/**
 * Softmax p_k = e^{s_k} / Σ_j e^{s_j}, computed as e^{s_k − max s} / Σ_j e^{s_j − max s}
 * so large scores cannot overflow.
 * @example softmax([0, Math.log(3)]) // [0.25, 0.75]
 */
export function softmax(scores: Vector): Vector {
  checkVector('softmax', 'scores', scores);
  return softmaxUnchecked(scores, 1);
}

/**
 * log Σ_j e^{s_j}, computed as max s + log Σ_j e^{s_j − max s}.
 * @example logSumExp([0, 0]) // Math.LN2
 */
export function logSumExp(scores: Vector): number {
  checkVector('logSumExp', 'scores', scores);
  return logSumExpUnchecked(scores);
}

/**
 * Softmax (cross-entropy) loss L = −log p_y = log Σ_j e^{s_j} − s_y.
 * Taking the log of a computed probability would lose everything once p_y underflows;
 * log-sum-exp minus s_y stays accurate for any scores.
 * @example softmaxLoss([3.2, 5.1, -1.7], 0) // ≈ 2.0402
 */
export function softmaxLoss(scores: Vector, y: number): number {
  const F = 'softmaxLoss';
  checkVector(F, 'scores', scores);
  checkLabel(F, y, scores.length);
  return logSumExpUnchecked(scores) - scores[y];
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { svmLoss, softmax, logSumExp, softmaxLoss } satisfies Offers;
