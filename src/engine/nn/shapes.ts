/**
 * Shape and value validation shared by the nn library.
 *
 * Every public function validates its arguments up front so that a bad template fails with a
 * message naming the function and the offending argument, instead of silently producing NaN
 * (which would then be shown to students as an "answer"). Structural problems (not an array,
 * ragged rows, mismatched lengths, empty input) throw `ShapeError`; bad numbers (non-finite,
 * non-integer, out of range) throw `RangeError`.
 *
 * Inputs are never mutated; outputs are always fresh arrays.
 */

/** A vector: a plain array of numbers. */
export type Vector = number[];
/** A row-major matrix: an array of equally long rows. */
export type Matrix = number[][];
/** A scalar, a vector or a matrix. */
export type Tensor = number | Vector | Matrix;
/** The output type of an elementwise function applied to a `T`. */
export type SameShape<T extends Tensor> = T extends number ? number : T extends Matrix ? Matrix : Vector;

/** Thrown when an argument has the wrong structure or its dimensions do not fit the others. */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** Short description of a value for error messages (values, not shapes). */
export function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 24 ? `${v.slice(0, 24)}…` : v);
  if (Array.isArray(v)) return describeShape(v);
  if (v === null) return 'null';
  return `a value of type ${typeof v}`;
}

/** Short description of the shape of a value: "a scalar", "a vector of length 3", "a 2×3 matrix". */
export function describeShape(v: unknown): string {
  if (typeof v === 'number') return 'a scalar';
  if (Array.isArray(v)) {
    if (v.length > 0 && Array.isArray(v[0])) return `a ${v.length}×${(v[0] as unknown[]).length} matrix`;
    return `a vector of length ${v.length}`;
  }
  if (v === null) return 'null';
  return `a value of type ${typeof v}`;
}

/** Throws a RangeError unless `v` is a finite number. */
export function checkFinite(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new RangeError(`${fn}: ${name} must be a finite number, got ${describe(v)}`);
  }
  return v;
}

/** Throws a RangeError unless `v` is an integer in [min, max]. */
export function checkInteger(fn: string, name: string, v: unknown, min = -Infinity, max = Infinity): number {
  checkFinite(fn, name, v);
  const n = v as number;
  if (!Number.isInteger(n)) throw new RangeError(`${fn}: ${name} must be an integer, got ${n}`);
  if (n < min) throw new RangeError(`${fn}: ${name}=${n} must be ≥ ${min}`);
  if (n > max) throw new RangeError(`${fn}: ${name}=${n} must be ≤ ${max}`);
  return n;
}

/** Throws a RangeError unless `v` is a finite number > 0. */
export function checkPositive(fn: string, name: string, v: unknown): number {
  const n = checkFinite(fn, name, v);
  if (!(n > 0)) throw new RangeError(`${fn}: ${name}=${n} must be > 0`);
  return n;
}

/** Throws a RangeError unless `v` is a finite number ≥ 0. */
export function checkNonNegative(fn: string, name: string, v: unknown): number {
  const n = checkFinite(fn, name, v);
  if (!(n >= 0)) throw new RangeError(`${fn}: ${name}=${n} must be ≥ 0`);
  return n;
}

/** Throws a RangeError unless `v` is a finite number in [0, 1) (or [0, 1] if `closed`). */
export function checkFraction(fn: string, name: string, v: unknown, closed = false): number {
  const n = checkFinite(fn, name, v);
  if (!(n >= 0) || (closed ? n > 1 : n >= 1)) {
    throw new RangeError(`${fn}: ${name}=${n} must be in [0, 1${closed ? ']' : ')'}`);
  }
  return n;
}

function elementError(fn: string, where: string, e: unknown): Error {
  if (Array.isArray(e)) return new ShapeError(`${fn}: ${where} is an array; expected a number here`);
  return new RangeError(`${fn}: ${where} must be a finite number, got ${describe(e)}`);
}

/**
 * Throws unless `v` is a vector of finite numbers (non-empty unless `allowEmpty`).
 * Returns it typed, so callers can validate and bind in one step.
 */
export function checkVector(fn: string, name: string, v: unknown, allowEmpty = false): Vector {
  if (!Array.isArray(v)) throw new ShapeError(`${fn}: ${name} must be a vector (array of numbers), got ${describe(v)}`);
  const n = v.length;
  if (n === 0 && !allowEmpty) throw new ShapeError(`${fn}: ${name} must not be empty`);
  for (let i = 0; i < n; i++) {
    const e: unknown = v[i];
    if (typeof e !== 'number' || !Number.isFinite(e)) throw elementError(fn, `${name}[${i}]`, e);
  }
  return v as Vector;
}

/** Throws unless `v` is a vector of finite numbers of exactly `length` elements. */
export function checkVectorLength(fn: string, name: string, v: unknown, length: number, why: string): Vector {
  const vec = checkVector(fn, name, v);
  if (vec.length !== length) throw new ShapeError(`${fn}: ${name} has length ${vec.length} but ${why}`);
  return vec;
}

/** Throws unless `M` is a non-empty rectangular matrix of finite numbers with non-empty rows. */
export function checkMatrix(fn: string, name: string, M: unknown): Matrix {
  if (!Array.isArray(M)) throw new ShapeError(`${fn}: ${name} must be a matrix (array of rows), got ${describe(M)}`);
  const rows = M.length;
  if (rows === 0) throw new ShapeError(`${fn}: ${name} must have at least one row`);
  const first: unknown = M[0];
  if (!Array.isArray(first)) throw new ShapeError(`${fn}: ${name} must be a matrix (array of rows), got ${describe(M)}`);
  const cols = first.length;
  if (cols === 0) throw new ShapeError(`${fn}: ${name} must have at least one column`);
  for (let r = 0; r < rows; r++) {
    const row: unknown = M[r];
    if (!Array.isArray(row)) throw new ShapeError(`${fn}: ${name}[${r}] must be a row (array of numbers), got ${describe(row)}`);
    if (row.length !== cols) {
      throw new ShapeError(`${fn}: ${name} is ragged: row ${r} has length ${row.length} but row 0 has length ${cols}`);
    }
    for (let c = 0; c < cols; c++) {
      const e: unknown = row[c];
      if (typeof e !== 'number' || !Number.isFinite(e)) throw elementError(fn, `${name}[${r}][${c}]`, e);
    }
  }
  return M as Matrix;
}

/** Throws unless `M` is a valid matrix with the given dimensions; `why` explains where they come from. */
export function checkMatrixShape(fn: string, name: string, M: unknown, rows: number, cols: number, why: string): Matrix {
  const m = checkMatrix(fn, name, M);
  if (m.length !== rows || m[0].length !== cols) {
    throw new ShapeError(`${fn}: ${name} is ${m.length}×${m[0].length} but ${why}`);
  }
  return m;
}

/**
 * Validates a scalar, vector or matrix and returns its rank (0, 1 or 2).
 * A non-empty array whose first element is an array is taken as a matrix.
 */
export function checkTensor(fn: string, name: string, t: unknown): 0 | 1 | 2 {
  if (typeof t === 'number') {
    checkFinite(fn, name, t);
    return 0;
  }
  if (Array.isArray(t) && t.length > 0 && Array.isArray(t[0])) {
    checkMatrix(fn, name, t);
    return 2;
  }
  if (Array.isArray(t)) {
    checkVector(fn, name, t);
    return 1;
  }
  throw new ShapeError(`${fn}: ${name} must be a number, a vector or a matrix, got ${describe(t)}`);
}

/** Like `checkTensor` but rejects scalars: the argument must be a vector or a matrix. */
export function checkArray(fn: string, name: string, t: unknown): 1 | 2 {
  if (!Array.isArray(t)) throw new ShapeError(`${fn}: ${name} must be a vector or a matrix, got ${describe(t)}`);
  return checkTensor(fn, name, t) as 1 | 2;
}

/**
 * Validates `t` and requires it to have exactly the shape of the already validated `ref`.
 */
export function checkSameShape(fn: string, name: string, t: unknown, refName: string, ref: Tensor): void {
  if (typeof ref === 'number') {
    if (typeof t !== 'number') throw shapeMismatch(fn, name, t, refName, ref);
    checkFinite(fn, name, t);
    return;
  }
  if (!Array.isArray(t) || t.length !== ref.length) throw shapeMismatch(fn, name, t, refName, ref);
  if (Array.isArray(ref[0])) {
    if (!Array.isArray(t[0])) throw shapeMismatch(fn, name, t, refName, ref);
    checkMatrix(fn, name, t);
    if ((t[0] as unknown[]).length !== ref[0].length) throw shapeMismatch(fn, name, t, refName, ref);
  } else {
    if (Array.isArray(t[0])) throw shapeMismatch(fn, name, t, refName, ref);
    checkVector(fn, name, t);
  }
}

function shapeMismatch(fn: string, name: string, t: unknown, refName: string, ref: Tensor): ShapeError {
  return new ShapeError(`${fn}: ${refName} is ${describeShape(ref)} but ${name} is ${describeShape(t)}`);
}

/** Row-major concatenation of the rows of `M`. */
export function flatten(M: Matrix): Vector {
  const rows = M.length;
  const cols = rows > 0 ? M[0].length : 0;
  const out = new Array<number>(rows * cols);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    const row = M[r];
    for (let c = 0; c < cols; c++) out[k++] = row[c];
  }
  return out;
}

/** Inverse of `flatten`: cuts `v` into `rows` rows of `cols` elements. */
export function reshape(v: Vector, rows: number, cols: number): Matrix {
  const out = new Array<Vector>(rows);
  for (let r = 0; r < rows; r++) out[r] = v.slice(r * cols, (r + 1) * cols);
  return out;
}

/**
 * Validates `x` and applies the scalar function `f` to every element.
 * `f` is a module-level function so no closure is created per call.
 */
export function mapTensor<T extends Tensor>(fn: string, x: T, f: (v: number) => number): SameShape<T> {
  return mapTensor2(fn, x, f as (v: number, a: number) => number, 0);
}

/** `mapTensor` for element functions with one extra scalar parameter (a slope, an alpha). */
export function mapTensor2<T extends Tensor>(fn: string, x: T, f: (v: number, a: number) => number, a: number): SameShape<T> {
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new RangeError(`${fn}: x must be a finite number, got ${x}`);
    return f(x, a) as SameShape<T>;
  }
  const rank = checkTensor(fn, 'x', x);
  if (rank === 1) {
    const v = x as Vector;
    const n = v.length;
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = f(v[i], a);
    return out as SameShape<T>;
  }
  const M = x as Matrix;
  const rows = M.length;
  const cols = M[0].length;
  const out = new Array<Vector>(rows);
  for (let r = 0; r < rows; r++) {
    const row = M[r];
    const o = new Array<number>(cols);
    for (let c = 0; c < cols; c++) o[c] = f(row[c], a);
    out[r] = o;
  }
  return out as SameShape<T>;
}
