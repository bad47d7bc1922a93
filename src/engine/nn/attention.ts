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
 * Scaled dot-product attention weights: with queries q_j (the rows of Q) and keys k_i (the rows
 * of K), the alignment scores are e_ji = q_j·k_i/√D and each query's weights are their softmax
 * over the keys, A_ji = softmax_i(e_ji). Row j of the result says how much query j attends to each
 * key; every row sums to 1.
 * @param Q Queries, an M×D matrix (one query per row).
 * @param K Keys, an N×D matrix (one key per row), of the same dimension D as the queries.
 * @returns The M×N matrix A of attention weights.
 * @example attentionWeights([[1, 0]], [[1, 0], [0, 1]]) // [[0.669762, 0.330238]]
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
 * A self-attention layer over the N input vectors x_j (the rows of X): queries Q = X·W_q, keys
 * K = X·W_k, values V = X·W_v; weights A = attentionWeights(Q, K) (A_ji = softmax_i(q_j·k_i/√D_k));
 * outputs Y = A·V, so y_j = Σ_i A_ji v_i. Read the parts you need with `.Y`, `.weights`, `.Q`, ….
 * @param X The inputs, an N×D matrix (one input vector per row).
 * @param Wq The query weights, D×D_k.
 * @param Wk The key weights, D×D_k (queries and keys have the same dimension D_k).
 * @param Wv The value weights, D×D_v.
 * @returns The queries, keys, values, attention weights and outputs.
 * @example selfAttention([[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 2], [3, 4]]).Y // [[1.66048, 2.66048], [2.33952, 3.33952]]
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
