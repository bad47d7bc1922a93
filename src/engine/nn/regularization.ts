/**
 * Weight regularization penalties and the full (data + regularization) loss.
 */
import { checkFinite, checkNonNegative, checkTensor, checkVector, type Matrix, type Tensor, type Vector } from './shapes.js';
import type { Offers } from '../registry.js';

// Σ over all elements of β·w² + α·|w|; each penalty picks its (α, β).
function penalty(fn: string, W: Tensor, alpha: number, beta: number): number {
  const rank = checkTensor(fn, 'W', W);
  if (rank === 0) {
    const w = W as number;
    return beta * w * w + alpha * Math.abs(w);
  }
  if (rank === 1) return rowPenalty(W as Vector, alpha, beta);
  const M = W as Matrix;
  let s = 0;
  for (let r = 0; r < M.length; r++) s += rowPenalty(M[r], alpha, beta);
  return s;
}

function rowPenalty(w: Vector, alpha: number, beta: number): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    const x = w[i];
    s += beta * x * x + alpha * Math.abs(x);
  }
  return s;
}

/**
 * L1 regularization R(W) = Σ_k Σ_l |W_kl|, the sum of the absolute values of all weights.
 * @param W A number, vector or matrix.
 * @returns R(W) ≥ 0.
 * @example l1Reg([[1, -2], [0, 3]]) // 6
 */
export function l1Reg(W: Tensor): number {
  return penalty('l1Reg', W, 1, 0);
}

/**
 * L2 regularization R(W) = Σ_k Σ_l W_kl², the sum of the squares of all weights.
 * @param W A number, vector or matrix.
 * @returns R(W) ≥ 0.
 * @example l2Reg([[1, -2], [0, 3]]) // 14
 */
export function l2Reg(W: Tensor): number {
  return penalty('l2Reg', W, 0, 1);
}

/**
 * Elastic net (L1 + L2) regularization R(W) = Σ_k Σ_l (β·W_kl² + |W_kl|).
 * @param W A number, vector or matrix.
 * @param beta The weight β ≥ 0 of the L2 part.
 * @returns R(W) ≥ 0.
 * @example elasticNetReg([1, -2], 0.5) // 5.5
 */
export function elasticNetReg(W: Tensor, beta: number): number {
  checkNonNegative('elasticNetReg', 'beta', beta);
  return penalty('elasticNetReg', W, 1, beta);
}

/**
 * The full loss L(W) = (1/N) Σ_i L_i + λ·R(W): the data loss (the mean of the per-example losses)
 * plus the regularization penalty weighted by the strength λ.
 * @param dataLosses The per-example losses L_1 … L_N, a vector (or a single number, taken as the
 * data loss itself).
 * @param lambda The regularization strength λ ≥ 0.
 * @param reg The penalty R(W), e.g. `l2Reg(W)`.
 * @returns L(W).
 * @example fullLoss([2.9, 0, 12.9], 0.1, 5) // 5.76667
 */
export function fullLoss(dataLosses: Vector | number, lambda: number, reg: number): number {
  const F = 'fullLoss';
  checkNonNegative(F, 'lambda', lambda);
  checkFinite(F, 'reg', reg);
  if (typeof dataLosses === 'number') return checkFinite(F, 'dataLosses', dataLosses) + lambda * reg;
  checkVector(F, 'dataLosses', dataLosses);
  let s = 0;
  for (let i = 0; i < dataLosses.length; i++) s += dataLosses[i];
  return s / dataLosses.length + lambda * reg;
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { l1Reg, l2Reg, elasticNetReg, fullLoss } satisfies Offers;
