import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { l1Distance, l2Distance, l2DistanceSquared } from '../../../src/engine/nn/distance.js';
import { ShapeError } from '../../../src/engine/nn/shapes.js';

describe('l1Distance / l2Distance', () => {
  it('computes Σ|a−b| and √Σ(a−b)² of vectors', () => {
    expect(l1Distance([1, 2, 3], [4, 0, 3])).toBe(5);
    expect(l2Distance([1, 2, 3], [4, 0, 3])).toBeCloseTo(Math.sqrt(13), 12);
    expect(l2Distance([1, 2], [4, 6])).toBe(5);
    expect(l2DistanceSquared([1, 2], [4, 6])).toBe(25);
  });

  it('flattens matrices of equal shape (images in the notes)', () => {
    const a = [
      [56, 32, 10, 18],
      [90, 23, 128, 133],
      [24, 26, 178, 200],
      [2, 0, 255, 220],
    ];
    const b = [
      [10, 20, 24, 17],
      [8, 10, 89, 100],
      [12, 16, 178, 170],
      [4, 32, 233, 112],
    ];
    // The worked example of the CS231n notes: the L1 distance of these two "images" is 456.
    expect(l1Distance(a, b)).toBe(456);
    expect(
      l2Distance(
        [
          [1, 2],
          [3, 4],
        ],
        [
          [0, 0],
          [0, 0],
        ],
      ),
    ).toBeCloseTo(Math.sqrt(30), 12);
  });

  it('rejects mismatched shapes with a message naming both', () => {
    expect(() => l1Distance([1, 2, 3], [1, 2])).toThrow(ShapeError);
    expect(() => l1Distance([1, 2, 3], [1, 2])).toThrow('l1Distance: a is a vector of length 3 but b is a vector of length 2');
    expect(() => l2Distance([[1, 2]], [1, 2])).toThrow('l2Distance: a is a 1×2 matrix but b is a vector of length 2');
    expect(() => l2Distance([[1, 2]], [[1, 2, 3]])).toThrow('a is a 1×2 matrix but b is a 1×3 matrix');
    expect(() =>
      l1Distance(
        [[1, 2], [3]],
        [
          [1, 2],
          [3, 4],
        ],
      ),
    ).toThrow(/ragged/);
    expect(() => l1Distance([], [])).toThrow('l1Distance: a must not be empty');
  });

  it('rejects non-finite elements', () => {
    expect(() => l1Distance([1, 2], [1, NaN])).toThrow(RangeError);
    expect(() => l1Distance([1, 2], [1, NaN])).toThrow('l1Distance: b[1] must be a finite number, got NaN');
    expect(() => l2Distance([1, Infinity], [1, 2])).toThrow('a[1] must be a finite number');
  });

  it('satisfies l2 ≤ l1 ≤ √n·l2, symmetry and d(a, a) = 0', () => {
    const pair = fc.integer({ min: 1, max: 8 }).chain((n) => {
      const v = fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: n, maxLength: n });
      return fc.tuple(v, v);
    });
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const l1 = l1Distance(a, b);
        const l2 = l2Distance(a, b);
        const slack = 1e-9 * (1 + l1);
        expect(l2).toBeLessThanOrEqual(l1 + slack);
        expect(l1).toBeLessThanOrEqual(Math.sqrt(a.length) * l2 + slack);
        expect(l1Distance(b, a)).toBe(l1);
        expect(l2Distance(b, a)).toBe(l2);
        expect(l1Distance(a, a)).toBe(0);
      }),
    );
  });
});
