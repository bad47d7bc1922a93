import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchnormForward } from '../../../src/engine/nn/batchnorm.js';
import { ShapeError } from '../../../src/engine/nn/shapes.js';
import { expectClose, ref } from './helpers.js';

const X = [
  [1.0, 2.0],
  [3.0, -2.0],
  [5.0, 0.0],
  [-1.0, 4.0],
];

describe('batchnormForward', () => {
  it('matches numpy: per-column mean, biased variance, x̂ and γx̂ + β', () => {
    const r = batchnormForward(X, [2, 0.5], [0.1, -1]);
    expectClose(r.mean, ref.bn.mean, 14);
    expectClose(r.var, ref.bn.var, 14);
    expectClose(r.xhat, ref.bn.xhat, 12);
    expectClose(r.out, ref.bn.out, 12);
  });

  it('accepts scalar γ and β', () => {
    const r = batchnormForward([[1], [3]], 1, 0);
    expect(r.mean).toEqual([2]);
    expect(r.var).toEqual([1]);
    expectClose(r.xhat, [[-1 / Math.sqrt(1 + 1e-5)], [1 / Math.sqrt(1 + 1e-5)]], 15);
    expect(batchnormForward([[1], [3]], 3, 2, 1e-3).out[1][0]).toBeCloseTo(3 / Math.sqrt(1.001) + 2, 14);
  });

  it('normalizes every column to mean 0 and variance ≈ 1', () => {
    const mat = fc.integer({ min: 2, max: 6 }).chain((n) =>
      fc.array(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 3, maxLength: 3 }), {
        minLength: n,
        maxLength: n,
      }),
    );
    fc.assert(
      fc.property(mat, (M) => {
        const { xhat, var: variance } = batchnormForward(M, 1, 0);
        for (let j = 0; j < 3; j++) {
          const col = xhat.map((r) => r[j]);
          const mean = col.reduce((a, b) => a + b, 0) / col.length;
          const v = col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length;
          expect(Math.abs(mean)).toBeLessThan(1e-9);
          expect(v).toBeCloseTo(variance[j] / (variance[j] + 1e-5), 8);
        }
      }),
    );
  });

  it('rejects mismatched parameters', () => {
    expect(() => batchnormForward(X, [1, 2, 3], 0)).toThrow(ShapeError);
    expect(() => batchnormForward(X, [1, 2, 3], 0)).toThrow('batchnormForward: gamma has length 3 but X has 2 columns (one gamma per feature)');
    expect(() => batchnormForward(X, 1, [0])).toThrow('batchnormForward: beta has length 1 but X has 2 columns');
    expect(() => batchnormForward([[1, 2], [3]], 1, 0)).toThrow(/X is ragged/);
    expect(() => batchnormForward(X, 1, 0, 0)).toThrow('batchnormForward: eps=0 must be > 0');
  });
});
