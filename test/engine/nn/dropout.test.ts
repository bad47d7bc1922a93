import { describe, expect, it } from 'vitest';
import { dropoutForward } from '../../../src/engine/nn/dropout.js';
import { ShapeError } from '../../../src/engine/nn/shapes.js';

describe('dropoutForward', () => {
  it('computes x ⊙ mask / p (inverted dropout, p = keep probability)', () => {
    expect(dropoutForward([2, 4], [1, 0], 0.5)).toEqual([4, 0]);
    expect(dropoutForward(3, 1, 0.75)).toBe(4);
    expect(
      dropoutForward(
        [
          [1, 2],
          [3, 4],
        ],
        [
          [1, 1],
          [0, 1],
        ],
        0.8,
      ),
    ).toEqual([
      [1.25, 2.5],
      [0, 5],
    ]);
    expect(dropoutForward([1.5], [1], 1)).toEqual([1.5]);
  });

  it('rejects bad masks and probabilities', () => {
    expect(() => dropoutForward([1, 2], [1, 0.5], 0.5)).toThrow('dropoutForward: mask[1] must be 0 or 1, got 0.5');
    expect(() => dropoutForward([[1, 2]], [[1, 2]], 0.5)).toThrow('dropoutForward: mask[0][1] must be 0 or 1, got 2');
    expect(() => dropoutForward([1, 2], [1], 0.5)).toThrow(ShapeError);
    expect(() => dropoutForward([1, 2], [1, 0], 0)).toThrow('dropoutForward: p=0 is the keep probability and must be in (0, 1]');
    expect(() => dropoutForward([1, 2], [1, 0], 1.5)).toThrow(RangeError);
  });
});
