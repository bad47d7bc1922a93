import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logSumExp, softmax, softmaxLoss, svmLoss } from '../../../src/engine/nn/losses.js';
import { ShapeError } from '../../../src/engine/nn/shapes.js';
import { expectClose, ref } from './helpers.js';

const scoresArb = fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 10 });

describe('svmLoss', () => {
  // The three examples of the notes (columns cat, car, frog).
  it('reproduces the notes: 2.9, 0 and 12.9', () => {
    expect(svmLoss([3.2, 5.1, -1.7], 0)).toBeCloseTo(2.9, 12);
    expect(svmLoss([1.3, 4.9, 2.0], 1)).toBe(0);
    expect(svmLoss([2.2, 2.5, -3.1], 2)).toBeCloseTo(12.9, 12);
  });

  it('uses the margin Δ', () => {
    // max(0, 5.1 − 3.2 + 2) + max(0, −1.7 − 3.2 + 2) = 3.9.
    expect(svmLoss([3.2, 5.1, -1.7], 0, 2)).toBeCloseTo(3.9, 12);
    expect(svmLoss([3.2, 5.1, -1.7], 0, 0)).toBeCloseTo(1.9, 12);
    expect(svmLoss([7], 0)).toBe(0);
  });

  it('rejects bad labels and scores', () => {
    expect(() => svmLoss([1, 2, 3], 3)).toThrow(RangeError);
    expect(() => svmLoss([1, 2, 3], 3)).toThrow('svmLoss: y=3 is out of range for 3 scores');
    expect(() => svmLoss([1, 2, 3], -1)).toThrow('svmLoss: y=-1 is out of range for 3 scores');
    expect(() => svmLoss([1, 2, 3], 1.5)).toThrow('svmLoss: y must be an integer class index (0-based), got 1.5');
    expect(() => svmLoss([], 0)).toThrow(ShapeError);
    expect(() => svmLoss([1, NaN], 0)).toThrow('svmLoss: scores[1] must be a finite number, got NaN');
    expect(() => svmLoss([1, 2], 0, Infinity)).toThrow('svmLoss: margin must be a finite number');
  });

  it('is ≥ 0, and 0 when the correct score wins by the margin', () => {
    fc.assert(
      fc.property(scoresArb, fc.nat(), (s, k) => {
        const y = k % s.length;
        expect(svmLoss(s, y)).toBeGreaterThanOrEqual(0);
        const t = s.slice();
        t[y] = Math.max(...s) + 1.5; // wins by more than the margin, leaving no rounding doubt
        expect(svmLoss(t, y)).toBe(0);
      }),
    );
  });
});

describe('softmax and softmaxLoss', () => {
  it('reproduces the notes: ≈ [0.13, 0.87, 0.00] and L ≈ 2.04', () => {
    const p = softmax([3.2, 5.1, -1.7]);
    expect(p[0]).toBeCloseTo(0.13, 2);
    expect(p[1]).toBeCloseTo(0.87, 2);
    expect(p[2]).toBeCloseTo(0.0, 2);
    expectClose(p, ref.softmax, 12);
    const L = softmaxLoss([3.2, 5.1, -1.7], 0);
    expect(L).toBeCloseTo(2.04, 2);
    expect(L).toBeCloseTo(ref.softmaxLoss0, 12);
    expect(Math.abs(L - 2.0403551528)).toBeLessThan(1e-9);
  });

  it('stays finite for huge scores', () => {
    const p = softmax([1000, 0, -1000]);
    expect(p[0]).toBe(1);
    expect(p[2]).toBe(0);
    // −log p_y where p_y underflows to 0: log-sum-exp keeps the exact answer.
    expect(softmaxLoss([1000, 0, -1000], 2)).toBeCloseTo(ref.softmaxLoss_big, 10);
    expect(logSumExp([0, 0])).toBeCloseTo(Math.LN2, 15);
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.LN2, 10);
  });

  it('rejects bad labels', () => {
    expect(() => softmaxLoss([1, 2], 2)).toThrow('softmaxLoss: y=2 is out of range for 2 scores');
    expect(() => softmax([])).toThrow('softmax: scores must not be empty');
  });

  it('sums to 1, lies in [0, 1] and is invariant to shifting all scores', () => {
    fc.assert(
      fc.property(scoresArb, fc.double({ min: -100, max: 100, noNaN: true }), (s, c) => {
        const p = softmax(s);
        const sum = p.reduce((a, b) => a + b, 0);
        expect(sum).toBeCloseTo(1, 12);
        for (const v of p) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
        const q = softmax(s.map((v) => v + c));
        for (let i = 0; i < p.length; i++) expect(q[i]).toBeCloseTo(p[i], 10);
      }),
    );
  });

  it('softmaxLoss equals −log softmax_y and is shift-invariant', () => {
    fc.assert(
      fc.property(scoresArb, fc.nat(), fc.double({ min: -100, max: 100, noNaN: true }), (s, k, c) => {
        const y = k % s.length;
        const L = softmaxLoss(s, y);
        const p = softmax(s)[y];
        if (p > 1e-200) expect(L).toBeCloseTo(-Math.log(p), 8);
        expect(
          softmaxLoss(
            s.map((v) => v + c),
            y,
          ),
        ).toBeCloseTo(L, 8);
      }),
    );
  });
});
