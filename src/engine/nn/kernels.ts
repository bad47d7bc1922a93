/**
 * Unchecked numeric kernels shared by the nn modules.
 *
 * These assume their arguments were already validated by the public function calling them,
 * so the checks are paid once per call rather than once per inner product. They are internal:
 * `index.ts` does not re-export them, because templates must only reach validated functions.
 */
import type { Matrix, Vector } from './shapes.js';

/** Σ a_i b_i over the common length. */
export function dotUnchecked(a: Vector, b: Vector): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** M·v for an R×C matrix and a C-vector. */
export function matVecUnchecked(M: Matrix, v: Vector): Vector {
  const rows = M.length;
  const out = new Array<number>(rows);
  for (let r = 0; r < rows; r++) out[r] = dotUnchecked(M[r], v);
  return out;
}

/** A·B for an R×K and a K×C matrix. */
export function matMulUnchecked(A: Matrix, B: Matrix): Matrix {
  const rows = A.length;
  const inner = B.length;
  const cols = B[0].length;
  const out = new Array<Vector>(rows);
  for (let r = 0; r < rows; r++) {
    const a = A[r];
    const o = new Array<number>(cols).fill(0);
    // i-k-j order walks rows of B contiguously instead of striding down its columns.
    for (let k = 0; k < inner; k++) {
      const aik = a[k];
      const b = B[k];
      for (let c = 0; c < cols; c++) o[c] += aik * b[c];
    }
    out[r] = o;
  }
  return out;
}

/** max_i s_i. */
export function maxUnchecked(s: Vector): number {
  let m = s[0];
  for (let i = 1; i < s.length; i++) if (s[i] > m) m = s[i];
  return m;
}

/**
 * Softmax of `s` scaled by `scale` (softmax(scale·s)), written to a fresh array.
 * Subtracting the maximum first keeps every exponent ≤ 0 so exp cannot overflow.
 */
export function softmaxUnchecked(s: Vector, scale: number): Vector {
  const n = s.length;
  const m = maxUnchecked(s) * scale;
  const out = new Array<number>(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(s[i] * scale - m);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) out[i] /= sum;
  return out;
}

/** Numerically stable log Σ exp(s_i). */
export function logSumExpUnchecked(s: Vector): number {
  const m = maxUnchecked(s);
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += Math.exp(s[i] - m);
  return m + Math.log(sum);
}
