/**
 * Small functions added to the expression language for template authors. mathjs indexes from
 * 1, the course (and the engine's labels) from 0; `at` and `argmax` keep authors in 0-based
 * terms so a prompt's "class 2" and the expression agree.
 */
import { formatNumber, formatValue, texMatrix } from './format.js';
import type { Matrix, Vector } from './nn/shapes.js';
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

/**
 * The element of a list at a 0-based position: `at(v, i)` is v_i, `at(M, i, j)` is M_ij (row i,
 * column j), and `at(M, i)` is row i of M. Unlike mathjs indexing (`v[1]` is the first element),
 * positions count from 0, as class labels do: `at(s, y)` is the score of the correct class.
 * Works on any list: a vector, a matrix, a list of strings (e.g. class names).
 * @param v A vector, matrix or other list.
 * @param i 0-based position (row, for a matrix): an integer in 0 … length − 1.
 * @param j 0-based column, for a matrix.
 * @returns The element (a number, a string, or a whole row when `j` is left out).
 * @example at([5, 6], 0) // 5
 * @example at([[1, 2], [3, 4]], 1, 0) // 3
 */
export function at(v: unknown[], i: number, j?: number): unknown {
  if (!isList(v)) throw new TypeError('at: the first argument must be a vector or matrix');
  const row = v[checkIndex('at', i, v.length)];
  if (j === undefined) return row;
  if (!isList(row)) throw new TypeError('at: a second index needs a matrix');
  return row[checkIndex('at', j, row.length)];
}

/**
 * The 0-based position of the largest entry of a vector (the first one on ties): the predicted
 * class of a score vector.
 * @param v A non-empty vector.
 * @returns An integer in 0 … length − 1.
 * @example argmax([1, 3, 3]) // 1
 */
export function argmax(v: Vector): number {
  if (!Array.isArray(v) || v.length === 0) throw new TypeError('argmax: needs a non-empty vector');
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/**
 * A vector as a column: the n×1 matrix [[v_0], [v_1], …], e.g. to multiply a matrix by it
 * with `*` or to show it as a column.
 * @param v A vector of length n.
 * @returns An n×1 matrix.
 * @example col([1, 2]) // [[1], [2]]
 */
export function col(v: Vector): Matrix {
  if (!Array.isArray(v)) throw new TypeError('col: needs a vector');
  return v.map((x) => [x]);
}

/**
 * LaTeX for a value, for prompts and solutions: a vector as a column `bmatrix`, a matrix as a
 * `bmatrix`, a number with up to 6 significant digits. (A plain `{{ v }}` prints a vector as a
 * row `[a, b, c]`.) Use it inside `$…$`.
 * @param v A number, vector or matrix (other values are printed as `{{ }}` prints them).
 * @returns LaTeX text.
 * @example tex([1, 2]) // \begin{bmatrix} 1 \\ 2 \end{bmatrix}
 */
export function tex(v: unknown): string {
  if (isList(v)) return v.every(isList) ? texMatrix(v) : texMatrix(v.map((x) => [x]));
  return formatValue(v);
}

/**
 * A value printed with n significant digits (trailing zeros dropped), elementwise for vectors and
 * matrices, for prompts and solutions (`{{ x }}` uses 6).
 * @param x A number, vector or matrix.
 * @param n Significant digits: an integer in 1 … 15.
 * @returns The text, as `{{ }}` would print it with n digits.
 * @example fmt(2.0402, 3) // "2.04"
 */
export function fmt(x: unknown, n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 15) throw new RangeError('fmt: digits must be an integer in 1..15');
  if (typeof x === 'number') return formatNumber(x, n);
  return formatValue(x, n);
}

/** What this module offers to template expressions (see registry.ts). */
export const offers = { at, argmax, col, tex, fmt } satisfies Offers;
