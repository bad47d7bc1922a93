/**
 * Small functions added to the expression language for template authors. mathjs indexes from
 * 1, the course (and the engine's labels) from 0; `at` and `argmax` keep authors in 0-based
 * terms so a prompt's "class 2" and the expression agree.
 */
import { formatNumber, formatValue, texMatrix } from './format.js';
import type { Offers } from './registry.js';

function checkIndex(fn: string, i: unknown, n: number): number {
  if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= n) {
    throw new RangeError(`${fn}: index ${String(i)} is out of range 0..${n - 1}`);
  }
  return i;
}

/** Array.isArray, narrowing to unknown[] rather than any[]. */
function isList(x: unknown): x is unknown[] {
  return Array.isArray(x);
}

/** at(v, i) / at(M, i, j): 0-based element. Example: at([5, 6], 0) → 5. */
export function at(v: unknown, i: number, j?: number): unknown {
  if (!isList(v)) throw new TypeError('at: the first argument must be a vector or matrix');
  const row = v[checkIndex('at', i, v.length)];
  if (j === undefined) return row;
  if (!isList(row)) throw new TypeError('at: a second index needs a matrix');
  return row[checkIndex('at', j, row.length)];
}

/** argmax(v): 0-based index of the largest entry, the first on ties. Example: argmax([1, 3, 3]) → 1. */
export function argmax(v: unknown): number {
  if (!Array.isArray(v) || v.length === 0) throw new TypeError('argmax: needs a non-empty vector');
  let best = 0;
  for (let i = 1; i < v.length; i++) if ((v[i] as number) > (v[best] as number)) best = i;
  return best;
}

/** col(v): a vector as an n×1 matrix. Example: col([1, 2]) → [[1], [2]]. */
export function col(v: unknown): number[][] {
  if (!Array.isArray(v)) throw new TypeError('col: needs a vector');
  return v.map((x) => [x as number]);
}

/** tex(v): a vector as a column bmatrix, a matrix as a bmatrix, a number as itself. */
export function tex(v: unknown): string {
  if (isList(v)) return v.every(isList) ? texMatrix(v) : texMatrix(v.map((x) => [x]));
  return formatValue(v);
}

/** fmt(x, n): x with n significant digits (elementwise for vectors). Example: fmt(2.0402, 3) → "2.04". */
export function fmt(x: unknown, n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 15) throw new RangeError('fmt: digits must be an integer in 1..15');
  if (typeof x === 'number') return formatNumber(x, n);
  return formatValue(x, n);
}

/** What this module offers to template expressions (see registry.ts). */
export const offers = { at, argmax, col, tex, fmt } satisfies Offers;
