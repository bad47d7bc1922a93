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
 * L1 (Manhattan) distance d₁(a, b) = Σ_p |a_p − b_p|.
 * Vectors, or matrices of the same shape (summed over all elements).
 * @example l1Distance([1, 2], [4, 0]) // 5
 */
export function l1Distance(a: Vector | Matrix, b: Vector | Matrix): number {
  return sumDiff('l1Distance', a, b, false);
}

/**
 * L2 (Euclidean) distance d₂(a, b) = √(Σ_p (a_p − b_p)²).
 * Vectors, or matrices of the same shape (summed over all elements).
 * @example l2Distance([1, 2], [4, 6]) // 5
 */
export function l2Distance(a: Vector | Matrix, b: Vector | Matrix): number {
  return Math.sqrt(sumDiff('l2Distance', a, b, true));
}

/**
 * Squared L2 distance Σ_p (a_p − b_p)². Ranks neighbours exactly like `l2Distance` but
 * without the rounding of the square root.
 * @example l2DistanceSquared([1, 2], [4, 6]) // 25
 */
export function l2DistanceSquared(a: Vector | Matrix, b: Vector | Matrix): number {
  return sumDiff('l2DistanceSquared', a, b, true);
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { l1Distance, l2Distance, l2DistanceSquared } satisfies Offers;
