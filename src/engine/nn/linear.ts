/**
 * Linear maps: the score function of a linear classifier and a matrix product.
 */
import { matMulUnchecked, matVecUnchecked } from './kernels.js';
import { checkMatrix, checkVectorLength, ShapeError, type Matrix, type Vector } from './shapes.js';
import type { Offers } from '../registry.js';

/**
 * Class scores of a linear classifier, s = f(x; W) = W·x + b: one score per class, s_c = Σ_d W_cd
 * x_d + b_c. Row c of W is the template of class c.
 * @param W The weights, a C×D matrix (C classes, D input features, e.g. pixels).
 * @param x The input, a D-vector.
 * @param b The biases, a C-vector (optional).
 * @returns The C-vector of scores s.
 * @example linearScores([[1, 2], [3, 4]], [1, 1], [0, -1]) // [3, 6]
 */
export function linearScores(W: Matrix, x: Vector, b?: Vector): Vector {
  const F = 'linearScores';
  checkMatrix(F, 'W', W);
  const c = W.length;
  const d = W[0].length;
  checkVectorLength(F, 'x', x, d, `W is ${c}×${d}`);
  const s = matVecUnchecked(W, x);
  if (b !== undefined) {
    checkVectorLength(F, 'b', b, c, `W has ${c} rows (one bias per class)`);
    for (let i = 0; i < c; i++) s[i] += b[i];
  }
  return s;
}

/**
 * Matrix product (AB)_ij = Σ_k A_ik B_kj, with a shape check that names both shapes. (mathjs's
 * `A * B` computes the same for matrices.)
 * @param A An R×K matrix.
 * @param B A K×C matrix.
 * @returns The R×C matrix AB.
 * @example matmul([[1, 2]], [[3], [4]]) // [[11]]
 */
export function matmul(A: Matrix, B: Matrix): Matrix {
  const F = 'matmul';
  checkMatrix(F, 'A', A);
  checkMatrix(F, 'B', B);
  if (A[0].length !== B.length) {
    throw new ShapeError(`${F}: A is ${A.length}×${A[0].length} but B is ${B.length}×${B[0].length} (inner dimensions differ)`);
  }
  return matMulUnchecked(A, B);
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { linearScores, matmul } satisfies Offers;
