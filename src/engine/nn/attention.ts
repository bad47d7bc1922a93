/**
 * Scaled dot-product attention and a single self-attention layer.
 */
import { dotUnchecked, matMulUnchecked, softmaxUnchecked } from './kernels.js';
import { checkMatrix, ShapeError, type Matrix, type Vector } from './shapes.js';
import type { Offers } from '../registry.js';

// Q is M×D and K is N×D, both validated: the M×N matrix of row softmaxes of q_j·k_i/√D.
function weightsUnchecked(Q: Matrix, K: Matrix): Matrix {
  const m = Q.length;
  const n = K.length;
  const scale = 1 / Math.sqrt(Q[0].length);
  const out = new Array<Vector>(m);
  const e = new Array<number>(n);
  for (let j = 0; j < m; j++) {
    const q = Q[j];
    for (let i = 0; i < n; i++) e[i] = dotUnchecked(q, K[i]);
    out[j] = softmaxUnchecked(e, scale);
  }
  return out;
}

/**
 * Attention weights A_ji = softmax_i(q_j·k_i/√D): one row per query q_j (row j of Q, M×D),
 * one column per key k_i (row i of K, N×D); each row sums to 1.
 * @example attentionWeights([[1, 0]], [[1, 0], [0, 1]]) // [[σ(1/√2), 1 − σ(1/√2)]]
 */
export function attentionWeights(Q: Matrix, K: Matrix): Matrix {
  const F = 'attentionWeights';
  checkMatrix(F, 'Q', Q);
  checkMatrix(F, 'K', K);
  if (Q[0].length !== K[0].length) {
    throw new ShapeError(
      `${F}: queries have dimension ${Q[0].length} (Q is ${Q.length}×${Q[0].length}) but keys have dimension ${K[0].length} (K is ${K.length}×${K[0].length})`,
    );
  }
  return weightsUnchecked(Q, K);
}

/** Result of `selfAttention`. */
export interface SelfAttentionResult {
  /** Queries X·W_q, N×D_k. */
  Q: Matrix;
  /** Keys X·W_k, N×D_k. */
  K: Matrix;
  /** Values X·W_v, N×D_v. */
  V: Matrix;
  /** attentionWeights(Q, K), N×N. */
  weights: Matrix;
  /** weights·V, N×D_v. */
  Y: Matrix;
}

/**
 * Self-attention layer over the N rows of X (N×D): Q = X·W_q, K = X·W_k, V = X·W_v,
 * A = attentionWeights(Q, K), Y = A·V. W_q and W_k are D×D_k, W_v is D×D_v.
 * @example selfAttention([[1, 0], [0, 1]], I, I, I).Y // rows are convex mixtures of the rows of X
 */
export function selfAttention(X: Matrix, Wq: Matrix, Wk: Matrix, Wv: Matrix): SelfAttentionResult {
  const F = 'selfAttention';
  checkMatrix(F, 'X', X);
  const d = X[0].length;
  checkMatrix(F, 'Wq', Wq);
  checkMatrix(F, 'Wk', Wk);
  checkMatrix(F, 'Wv', Wv);
  const shape = `X is ${X.length}×${d}, so it needs ${d} rows`;
  if (Wq.length !== d) throw new ShapeError(`${F}: Wq is ${Wq.length}×${Wq[0].length} but ${shape}`);
  if (Wk.length !== d) throw new ShapeError(`${F}: Wk is ${Wk.length}×${Wk[0].length} but ${shape}`);
  if (Wv.length !== d) throw new ShapeError(`${F}: Wv is ${Wv.length}×${Wv[0].length} but ${shape}`);
  if (Wq[0].length !== Wk[0].length) {
    throw new ShapeError(`${F}: Wq is ${d}×${Wq[0].length} but Wk is ${d}×${Wk[0].length}; queries and keys need the same dimension`);
  }
  const Q = matMulUnchecked(X, Wq);
  const K = matMulUnchecked(X, Wk);
  const V = matMulUnchecked(X, Wv);
  const weights = weightsUnchecked(Q, K);
  const Y = matMulUnchecked(weights, V);
  return { Q, K, V, weights, Y };
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { attentionWeights, selfAttention } satisfies Offers;
