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

function checkName(fn: string, name: unknown): string {
  if (typeof name !== 'string') throw new TypeError(`${fn}: the variable must be a string (its LaTeX, e.g. "x" or "w_1")`);
  return name;
}

/** Greatest common divisor of two non-negative safe integers. */
function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** x as an integer numerator over 10^k (k ≤ 8), or undefined when x is not such a short decimal. */
function decimalDigits(x: number): number | undefined {
  for (let k = 0; k <= 8; k++) {
    const scaled = x * 10 ** k;
    if (Math.abs(scaled - Math.round(scaled)) <= 1e-9 * Math.max(1, Math.abs(scaled))) return k;
  }
  return undefined;
}

/**
 * A fraction in lowest terms, as LaTeX for a prompt or solution: `\frac{3}{4}`, with the sign in
 * front (`-\frac{3}{4}`) and a whole number when it divides (`2`). Short decimals are taken exactly
 * (`frac(0.3, 0.4)` is `\frac{3}{4}`). With a variable it is that variable's coefficient, written
 * as a person would: `frac(a, 2, "x^2")` is `\frac{1}{2}x^2`, `x^2` or `2x^2` for a = 1, 2, 4.
 * Use it inside `$…$`.
 * @param a The numerator: an integer or a decimal with at most 8 places.
 * @param b The denominator: likewise, not 0.
 * @param x A variable the fraction multiplies, as LaTeX (`"x"`, `"x^2"`); leave it out for the fraction alone.
 * @returns LaTeX text.
 * @example frac(6, 8) // \frac{3}{4}
 * @example frac(-4, 2) // "-2"
 * @example frac(1, -3) // -\frac{1}{3}
 * @example frac(2, 2, "x^2") // x^2
 * @example frac(-3, 2, "x") // -\frac{3}{2}x
 */
export function frac(a: number, b: number, x = ''): string {
  const name = checkName('frac', x);
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b)) throw new TypeError('frac: needs two finite numbers');
  if (b === 0) throw new RangeError('frac: the denominator is 0');
  const ka = decimalDigits(a);
  const kb = decimalDigits(b);
  if (ka === undefined || kb === undefined) throw new RangeError('frac: a and b must be integers or decimals with at most 8 places');
  const k = Math.max(ka, kb);
  let n = Math.round(Math.abs(a) * 10 ** k);
  let d = Math.round(Math.abs(b) * 10 ** k);
  if (!Number.isSafeInteger(n) || !Number.isSafeInteger(d)) throw new RangeError('frac: a and b are too large');
  if (n === 0) return '0';
  const g = gcd(n, d);
  n /= g;
  d /= g;
  const sign = a < 0 !== b < 0 ? '-' : '';
  if (d === 1) return `${sign}${n === 1 && name !== '' ? '' : n}${name}`;
  return `${sign}\\frac{${n}}{${d}}${name}`;
}

/** c·name with the coefficient written as a person would: 1 and −1 dropped to a sign, 0 → "0". */
function product(c: number, name: string): string {
  if (name === '') return formatNumber(c);
  if (c === 0) return '0';
  if (c === 1) return name;
  if (c === -1) return `-${name}`;
  return `${formatNumber(c)}${name}`;
}

/**
 * The leading term `c·x` of a linear expression, written as a person would: `term(1, "x")` is `x`,
 * `term(-1, "x")` is `-x`, `term(2.5, "x")` is `2.5x`, and a zero coefficient gives `0`. Follow it
 * with `signed` for the next terms: `{{ term(a, "x") }} {{ signed(b, "y") }} {{ signed(c) }}`.
 * @param c The coefficient.
 * @param x The variable, as LaTeX: `"x"`, `"w_1"`, `"\\alpha"`; `""` for a constant term.
 * @returns LaTeX text.
 * @example term(1, "x") // x
 * @example term(-3, "w") // -3w
 */
export function term(c: number, x: string): string {
  if (typeof c !== 'number' || !Number.isFinite(c)) throw new TypeError('term: the coefficient must be a finite number');
  return product(c, checkName('term', x));
}

/**
 * A term that follows another, with its sign as the operator: `signed(4)` is `+ 4`, `signed(-4)` is
 * `- 4` (never `+ -4`), and `signed(-1, "y")` is `- y`. With a variable, a zero coefficient drops
 * the term (an empty text); a number alone is kept (`+ 0`), as a step of arithmetic shows it.
 * @param c The coefficient, or the number.
 * @param x The variable, as LaTeX; leave it out for a number.
 * @returns LaTeX text.
 * @example signed(-4) // "- 4"
 * @example signed(0.5, "x") // + 0.5x
 * @example signed(-1, "y") // - y
 */
export function signed(c: number, x = ''): string {
  if (typeof c !== 'number' || !Number.isFinite(c)) throw new TypeError('signed: the coefficient must be a finite number');
  const name = checkName('signed', x);
  if (c === 0 && name !== '') return '';
  return `${c < 0 ? '-' : '+'} ${product(Math.abs(c), name)}`;
}

/** What this module offers to template expressions (see registry.ts). */
export const offers = { at, argmax, col, tex, fmt, frac, term, signed } satisfies Offers;
