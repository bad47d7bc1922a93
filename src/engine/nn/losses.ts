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
 * Multiclass SVM (hinge) loss of one example, L_i = Σ_{j≠y_i} max(0, s_j − s_{y_i} + Δ): every
 * wrong class whose score comes within the margin Δ of the correct class's score adds to the loss.
 * @param scores The class scores s = f(x_i; W), a vector (one score per class).
 * @param y The correct class y_i: a 0-based index into scores (0 is the first class).
 * @param margin The margin Δ.
 * @returns L_i ≥ 0.
 * @example svmLoss([3.2, 5.1, -1.7], 0) // 2.9
 * @example svmLoss([1.3, 4.9, 2.0], 1) // 0
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
 * Softmax of a score vector, P(Y = k | X = x_i) = e^{s_k} / Σ_j e^{s_j}: probabilities, each ≥ 0,
 * summing to 1. Computed as e^{s_k − max s} / Σ_j e^{s_j − max s}, so large scores cannot overflow.
 * @param scores The class scores s (unnormalized log-probabilities, logits), a vector.
 * @returns The vector of probabilities, the same length.
 * @example softmax([0, log(3)]) // [0.25, 0.75]
 * @example softmax([3.2, 5.1, -1.7]) // [0.129983, 0.86905, 0.000967925]
 */
export function softmax(scores: Vector): Vector {
  checkVector('softmax', 'scores', scores);
  return softmaxUnchecked(scores, 1);
}

/**
 * log Σ_j e^{s_j}, computed as max s + log Σ_j e^{s_j − max s}, which cannot overflow. The softmax
 * loss is logSumExp(s) − s_y.
 * @param scores A vector.
 * @returns log Σ_j e^{s_j}.
 * @example logSumExp([0, 0]) // 0.693147
 */
export function logSumExp(scores: Vector): number {
  checkVector('logSumExp', 'scores', scores);
  return logSumExpUnchecked(scores);
}

/**
 * Softmax (cross-entropy) loss of one example, L_i = −log P(Y = y_i | X = x_i) = −log(e^{s_{y_i}} /
 * Σ_j e^{s_j}) = log Σ_j e^{s_j} − s_{y_i}. Computed in the last form, which stays accurate when
 * the probability of the correct class underflows to 0.
 * @param scores The class scores s, a vector.
 * @param y The correct class y_i: a 0-based index into scores.
 * @returns L_i ≥ 0.
 * @example softmaxLoss([3.2, 5.1, -1.7], 0) // 2.04036
 */
export function softmaxLoss(scores: Vector, y: number): number {
  const F = 'softmaxLoss';
  checkVector(F, 'scores', scores);
  checkLabel(F, y, scores.length);
  return logSumExpUnchecked(scores) - scores[y];
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { svmLoss, softmax, logSumExp, softmaxLoss } satisfies Offers;
