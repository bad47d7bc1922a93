import { describe, expect, it } from 'vitest';
import { allowedError, describeTolerance, insufficientPrecision, roundSig, withinTolerance } from '../../src/engine/tolerance.js';

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

describe('describeTolerance', () => {
  it.each([
    [{ mode: 'relative', rtol: 0.01, atol: 1e-6 }, 'within 1 % of the exact value'],
    [{ mode: 'relative', rtol: 0.015, atol: 1e-12 }, 'within 1.5 % of the exact value'],
    [{ mode: 'relative', rtol: 0.07, atol: 0 }, 'within 7 % of the exact value'],
    [{ mode: 'relative', rtol: 0.01, atol: 0.005 }, 'within 1 % of the exact value, or within 0.005 of it'],
    [{ mode: 'relative', rtol: 0.02, atol: 1e-4 }, 'within 2 % of the exact value, or within 0.0001 of it'],
    [{ mode: 'relative', rtol: 0, atol: 0.01 }, 'within 0.01 of the exact value'],
    [{ mode: 'absolute', atol: 0.01 }, 'within 0.01 of the exact value'],
    [{ mode: 'absolute', atol: 0.0005 }, 'within 0.0005 of the exact value'],
    [{ mode: 'absolute', atol: 1e-9 }, 'within 1e-9 of the exact value'],
    [{ mode: 'absolute', atol: 0 }, 'exactly'],
    [{ mode: 'sigfigs', digits: 3 }, 'to 3 significant figures'],
    [{ mode: 'sigfigs', digits: 1 }, 'to 1 significant figure'],
    [{ mode: 'decimals', places: 2 }, 'to 2 decimal places'],
    [{ mode: 'decimals', places: 1 }, 'to 1 decimal place'],
    [{ mode: 'decimals', places: 0 }, 'to the nearest whole number'],
  ] as const)('%j → %s', (tol, words) => {
    expect(describeTolerance(tol)).toBe(words);
  });

  it('describes what withinTolerance accepts', () => {
    // "within 1 % …, or within 0.005 of it": 0.004 off a tiny value passes, as does 1 % off a large one.
    const tol = { mode: 'relative', rtol: 0.01, atol: 0.005 } as const;
    expect(withinTolerance(0.014, 0.01, tol)).toBe(true);
    expect(withinTolerance(1009, 1000, tol)).toBe(true);
    expect(withinTolerance(1011, 1000, tol)).toBe(false);
  });
});
