import { describe, expect, it } from 'vitest';
import { allowedError, insufficientPrecision, roundSig, withinTolerance } from '../../src/engine/tolerance.js';

describe('withinTolerance', () => {
  it('relative with an absolute floor', () => {
    const tol = { mode: 'relative', rtol: 0.01, atol: 1e-6 } as const;
    expect(withinTolerance(2.04, 2.0402, tol)).toBe(true);
    expect(withinTolerance(2.07, 2.0402, tol)).toBe(false);
    expect(withinTolerance(5e-7, 0, tol)).toBe(true);
    expect(withinTolerance(2e-6, 0, tol)).toBe(false);
  });

  it('absolute', () => {
    const tol = { mode: 'absolute', atol: 0.005 } as const;
    expect(withinTolerance(0.13, 0.1256, tol)).toBe(true);
    expect(withinTolerance(0.14, 0.1256, tol)).toBe(false);
  });

  it('significant figures accept both roundings of a half-way value', () => {
    const tol = { mode: 'sigfigs', digits: 2 } as const;
    expect(withinTolerance(0.13, 0.125, tol)).toBe(true);
    expect(withinTolerance(0.12, 0.125, tol)).toBe(true);
    expect(withinTolerance(0.14, 0.125, tol)).toBe(false);
    expect(withinTolerance(1200, 1234, tol)).toBe(true);
    expect(withinTolerance(1300, 1234, tol)).toBe(false);
  });

  it('decimal places', () => {
    const tol = { mode: 'decimals', places: 2 } as const;
    expect(withinTolerance(2.04, 2.0402, tol)).toBe(true);
    expect(withinTolerance(2.05, 2.0402, tol)).toBe(false);
    expect(allowedError(123, tol)).toBeCloseTo(0.005, 15);
  });
});

describe('precision hints', () => {
  it('flags a correctly rounded answer that has too few digits', () => {
    const tol = { mode: 'sigfigs', digits: 3 } as const;
    expect(insufficientPrecision(2, 1, 2.0402, tol)).toBe(true);
    expect(insufficientPrecision(2.1, 2, 2.0402, tol)).toBe(false);
    expect(roundSig(2.0402, 3)).toBe(2.04);
  });
});
