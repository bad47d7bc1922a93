import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adagradStep, adamStep, momentumStep, nesterovStep, rmspropStep, sgdStep } from '../../../src/engine/nn/optimizers.js';
import { ShapeError } from '../../../src/engine/nn/shapes.js';
import { expectClose, ref } from './helpers.js';

// The operands of reference.py.
const x = [1.0, -2.0, 0.5];
const dx = [0.3, -0.4, 0.0];
const v = [0.1, 0.2, -0.3];
const cache = [0.5, 0.0, 1.0];
const m = [0.01, -0.02, 0.03];
const vv = [0.001, 0.0, 0.002];

describe('sgdStep', () => {
  it('computes x − lr·dx for scalars, vectors and matrices', () => {
    expect(sgdStep(1, 0.5, 0.1)).toBeCloseTo(0.95, 15);
    expectClose(sgdStep([1, 2], [0.5, -1], 0.1), [0.95, 2.1], 15);
    expectClose(
      sgdStep(
        [
          [1, 2],
          [3, 4],
        ],
        [
          [1, 1],
          [-1, 0],
        ],
        0.5,
      ),
      [
        [0.5, 1.5],
        [3.5, 4],
      ],
      15,
    );
  });

  it('rejects shape mismatches and bad learning rates', () => {
    expect(() => sgdStep([1, 2], [1] as number[], 0.1)).toThrow(ShapeError);
    expect(() => sgdStep([1, 2], [1], 0.1)).toThrow('sgdStep: x is a vector of length 2 but dx is a vector of length 1');
    expect(() => sgdStep(1, [1] as unknown as number, 0.1)).toThrow('sgdStep: x is a scalar but dx is a vector of length 1');
    expect(() => sgdStep(1, 1, -0.1)).toThrow('sgdStep: lr=-0.1 must be ≥ 0');
    expect(() => sgdStep(1, NaN, 0.1)).toThrow('sgdStep: dx must be a finite number, got NaN');
  });
});

describe('momentum and Nesterov', () => {
  it('momentumStep: v′ = ρv + dx, x′ = x − lr·v′', () => {
    const r = momentumStep(x, v, dx, 0.01, 0.9);
    expectClose(r.x, ref.momentum.x, 14);
    expectClose(r.v, ref.momentum.v, 14);
    const s = momentumStep(1, 0.5, 2, 0.1, 0.9);
    expect(s.v).toBeCloseTo(2.45, 14);
    expect(s.x).toBeCloseTo(0.755, 14);
  });

  it('nesterovStep: v′ = ρv − lr·dx, x′ = x − ρv + (1+ρ)v′', () => {
    const r = nesterovStep(x, v, dx, 0.01, 0.9);
    expectClose(r.x, ref.nesterov.x, 14);
    expectClose(r.v, ref.nesterov.v, 14);
    const s = nesterovStep(1, 0.5, 2, 0.1, 0.9);
    expect(s.v).toBeCloseTo(0.25, 14);
    expect(s.x).toBeCloseTo(1.025, 14);
  });

  it('rejects ρ outside [0, 1)', () => {
    expect(() => momentumStep(1, 0, 1, 0.1, 1)).toThrow('momentumStep: rho=1 must be in [0, 1)');
    expect(() => nesterovStep(1, 0, 1, 0.1, -0.5)).toThrow('nesterovStep: rho=-0.5 must be in [0, 1)');
  });
});

describe('AdaGrad and RMSProp', () => {
  it('adagradStep: cache′ = cache + dx², x′ = x − lr·dx/(√cache′ + ε)', () => {
    const r = adagradStep(x, cache, dx, 0.01);
    expectClose(r.x, ref.adagrad.x, 14);
    expectClose(r.cache, ref.adagrad.cache, 14);
    const s = adagradStep(1, 0, 2, 0.1);
    expect(s.cache).toBe(4);
    expect(s.x).toBeCloseTo(1 - 0.2 / (2 + 1e-7), 15);
  });

  it('rmspropStep: cache′ = d·cache + (1−d)·dx²', () => {
    const r = rmspropStep(x, cache, dx, 0.01, 0.99);
    expectClose(r.x, ref.rmsprop.x, 14);
    expectClose(r.cache, ref.rmsprop.cache, 14);
  });

  it('rejects negative caches and bad hyperparameters', () => {
    expect(() => adagradStep([1], [-1], [1], 0.1)).toThrow('adagradStep: cache holds running squares and cannot be negative (element 0 is -1)');
    expect(() => rmspropStep(1, -1, 1, 0.1, 0.9)).toThrow(RangeError);
    expect(() => rmspropStep(1, 0, 1, 0.1, 1.5)).toThrow('rmspropStep: decay=1.5 must be in [0, 1)');
    expect(() => adagradStep(1, 0, 1, 0.1, 0)).toThrow('adagradStep: eps=0 must be > 0');
  });
});

describe('adamStep', () => {
  it('matches the reference at step t = 3', () => {
    const r = adamStep(x, m, vv, dx, 3, 0.01, 0.9, 0.999);
    expectClose(r.x, ref.adam.x, 14);
    expectClose(r.m, ref.adam.m, 14);
    expectClose(r.v, ref.adam.v, 14);
  });

  it('computes the scalar example of the JSDoc', () => {
    const r = adamStep(1, 0, 0, 2, 1, 0.1, 0.9, 0.999);
    expect(r.m).toBeCloseTo(0.2, 15);
    expect(r.v).toBeCloseTo(0.004, 15);
    expect(r.x).toBeCloseTo(1 - (0.1 * 2) / (2 + 1e-7), 14);
  });

  it('keeps the shape of matrices and matches the vector computation', () => {
    const M = adamStep(
      [
        [1, -2],
        [0.5, 3],
      ],
      [
        [0, 0],
        [0, 0],
      ],
      [
        [0, 0],
        [0, 0],
      ],
      [
        [0.3, -0.4],
        [0, 1],
      ],
      1,
      0.01,
      0.9,
      0.999,
    );
    const V = adamStep([1, -2, 0.5, 3], [0, 0, 0, 0], [0, 0, 0, 0], [0.3, -0.4, 0, 1], 1, 0.01, 0.9, 0.999);
    expect(M.x).toEqual([V.x.slice(0, 2), V.x.slice(2)]);
    expect(M.m).toEqual([V.m.slice(0, 2), V.m.slice(2)]);
    expect(M.v).toEqual([V.v.slice(0, 2), V.v.slice(2)]);
  });

  it('does not mutate its inputs', () => {
    const x0 = x.slice();
    const m0 = m.slice();
    adamStep(x0, m0, vv, dx, 2, 0.1, 0.9, 0.999);
    expect(x0).toEqual(x);
    expect(m0).toEqual(m);
  });

  it('first step from zero moments moves each coordinate by ≈ lr·sign(dx)', () => {
    const arb = fc.array(fc.oneof(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.double({ min: -1e3, max: -1e-3, noNaN: true }), fc.constant(0)), {
      minLength: 1,
      maxLength: 8,
    });
    fc.assert(
      fc.property(arb, fc.double({ min: 1e-4, max: 1, noNaN: true }), (g, lr) => {
        const x0 = g.map((_, i) => i - 2);
        const zeros = g.map(() => 0);
        const r = adamStep(x0, zeros, zeros, g, 1, lr, 0.9, 0.999);
        for (let i = 0; i < g.length; i++) {
          const moved = x0[i] - r.x[i];
          expect(Math.abs(moved - lr * Math.sign(g[i]))).toBeLessThanOrEqual(lr * 1e-4);
        }
      }),
    );
  });

  it('rejects a bad step t and mismatched moments', () => {
    expect(() => adamStep(1, 0, 0, 1, 0, 0.1, 0.9, 0.999)).toThrow('adamStep: t=0 must be ≥ 1');
    expect(() => adamStep(1, 0, 0, 1, 1.5, 0.1, 0.9, 0.999)).toThrow('adamStep: t must be an integer, got 1.5');
    expect(() => adamStep(1, 0, 0, 1, 1, 0.1, 1, 0.999)).toThrow('adamStep: beta1=1 must be in [0, 1)');
    expect(() => adamStep([1, 2, 3], [0, 0], [0, 0, 0], [1, 1, 1], 1, 0.1, 0.9, 0.999)).toThrow(
      'adamStep: x is a vector of length 3 but m is a vector of length 2',
    );
    expect(() => adamStep([[1, 2]], [[0, 0]], [[0, 0]], [1, 2] as unknown as number[][], 1, 0.1, 0.9, 0.999)).toThrow(
      'adamStep: x is a 1×2 matrix but dx is a vector of length 2',
    );
  });
});
