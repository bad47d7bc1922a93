/**
 * Numeric comparison under a tolerance. Bounds are inclusive and widened by a few ulps so a
 * correctly rounded answer on a half-way boundary (0.125 → 0.13 at 2 places) is never refused
 * because of binary floating point.
 */
import { formatNumber } from './format.js';
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

/**
 * Floors of relative tolerances at or below this only matter for answers within 1e-4 of zero
 * (1 % of 1e-4 is 1e-6): not worth a student's attention, so describeTolerance leaves them out.
 */
const NEGLIGIBLE_FLOOR = 1e-6;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * describeTolerance(tol): the tolerance in words, for students, completing "Accepted …".
 * Examples: {relative, rtol 0.01, atol 1e-6} → "within 1 % of the exact value";
 * {relative, rtol 0.01, atol 0.005} → "within 1 % of the exact value, or within 0.005 of it";
 * {absolute, atol 0.01} → "within 0.01 of the exact value"; {sigfigs, 3} → "to 3 significant
 * figures"; {decimals, 2} → "to 2 decimal places".
 */
export function describeTolerance(tol: Tolerance): string {
  switch (tol.mode) {
    case 'relative': {
      if (tol.rtol === 0) return describeTolerance({ mode: 'absolute', atol: tol.atol });
      const within = `within ${formatNumber(tol.rtol * 100)} % of the exact value`;
      return tol.atol > NEGLIGIBLE_FLOOR ? `${within}, or within ${formatNumber(tol.atol)} of it` : within;
    }
    case 'absolute':
      return tol.atol === 0 ? 'exactly' : `within ${formatNumber(tol.atol)} of the exact value`;
    case 'sigfigs':
      return `to ${plural(tol.digits, 'significant figure', 'significant figures')}`;
    case 'decimals':
      return tol.places === 0 ? 'to the nearest whole number' : `to ${plural(tol.places, 'decimal place', 'decimal places')}`;
  }
}
