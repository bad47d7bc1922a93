/**
 * Numeric comparison under a tolerance. Bounds are inclusive and widened by a few ulps so a
 * correctly rounded answer on a half-way boundary (0.125 → 0.13 at 2 places) is never refused
 * because of binary floating point.
 */
import type { Tolerance } from './template-schema.js';

const SLACK = 1 + 1e-9;

/** roundSig(x, d): x rounded to d significant digits. Example: roundSig(2.0402, 3) → 2.04. */
export function roundSig(x: number, d: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(Math.min(Math.max(d, 1), 100)));
}

/** The largest accepted |a − ref| under a tolerance. */
export function allowedError(ref: number, tol: Tolerance): number {
  switch (tol.mode) {
    case 'relative':
      return Math.max(tol.atol, tol.rtol * Math.abs(ref));
    case 'absolute':
      return tol.atol;
    case 'sigfigs': {
      if (ref === 0) return 0.5 * 10 ** -tol.digits;
      const e = Math.floor(Math.log10(Math.abs(ref)));
      return 0.5 * 10 ** (e - tol.digits + 1);
    }
    case 'decimals':
      return 0.5 * 10 ** -tol.places;
  }
}

/** withinTolerance(a, ref, tol): |a − ref| ≤ allowedError(ref, tol). */
export function withinTolerance(a: number, ref: number, tol: Tolerance): boolean {
  return Math.abs(a - ref) <= allowedError(ref, tol) * SLACK + Number.EPSILON * Math.abs(ref);
}

/**
 * A wrong answer that equals the reference rounded to the digits the student wrote is a
 * precision problem, not a misunderstanding: say so, so they are not told their method failed.
 */
export function insufficientPrecision(a: number, sigDigits: number, ref: number, tol: Tolerance): boolean {
  if (!Number.isFinite(sigDigits) || ref === 0) return false;
  const rounded = roundSig(ref, sigDigits);
  return Math.abs(rounded - a) <= 1e-12 * Math.max(1, Math.abs(ref)) && !withinTolerance(a, ref, tol);
}
