/**
 * Distances between two vectors (or two matrices of equal shape, compared elementwise as if
 * flattened), as used by nearest-neighbour classifiers.
 */
import { checkArray, checkSameShape, type Matrix, type Vector } from './shapes.js';
import type { Offers } from '../registry.js';

// One validated traversal serves both distances; `squared` selects Σd² over Σ|d|.
function sumDiff(fn: string, a: Vector | Matrix, b: Vector | Matrix, squared: boolean): number {
  const rank = checkArray(fn, 'a', a);
  checkSameShape(fn, 'b', b, 'a', a);
  if (rank === 1) return rowDiff(a as Vector, b as Vector, squared);
  let s = 0;
  const A = a as Matrix;
  const B = b as Matrix;
  for (let r = 0; r < A.length; r++) s += rowDiff(A[r], B[r], squared);
  return s;
}

function rowDiff(a: Vector, b: Vector, squared: boolean): number {
  let s = 0;
  if (squared) {
    for (let i = 0; i < a.length; i++) {
      const d = a[i] - b[i];
      s += d * d;
    }
  } else {
    for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  }
  return s;
}

/**
 * L1 (Manhattan) distance d₁(a, b) = Σ_p |a_p − b_p|, the distance of the nearest-neighbour
 * classifier in the lecture. Two matrices (images) of the same shape are compared pixel by pixel,
 * summing over all elements.
 * @param a A vector or a matrix.
 * @param b A vector or a matrix of the same shape as a.
 * @returns d₁(a, b) ≥ 0.
 * @example l1Distance([1, 2], [4, 0]) // 5
 * @example l1Distance([[1, 2], [3, 4]], [[0, 2], [3, 6]]) // 3
 */
export function l1Distance(a: Vector | Matrix, b: Vector | Matrix): number {
  return sumDiff('l1Distance', a, b, false);
}

/**
 * L2 (Euclidean) distance d₂(a, b) = √(Σ_p (a_p − b_p)²). Two matrices of the same shape are
 * compared elementwise, as if flattened.
 * @param a A vector or a matrix.
 * @param b A vector or a matrix of the same shape as a.
 * @returns d₂(a, b) ≥ 0.
 * @example l2Distance([1, 2], [4, 6]) // 5
 */
export function l2Distance(a: Vector | Matrix, b: Vector | Matrix): number {
  return Math.sqrt(sumDiff('l2Distance', a, b, true));
}

/**
 * Squared L2 distance Σ_p (a_p − b_p)². It ranks neighbours exactly like `l2Distance`, without the
 * rounding of the square root.
 * @param a A vector or a matrix.
 * @param b A vector or a matrix of the same shape as a.
 * @returns d₂(a, b)² ≥ 0.
 * @example l2DistanceSquared([1, 2], [4, 6]) // 25
 */
export function l2DistanceSquared(a: Vector | Matrix, b: Vector | Matrix): number {
  return sumDiff('l2DistanceSquared', a, b, true);
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { l1Distance, l2Distance, l2DistanceSquared } satisfies Offers;
