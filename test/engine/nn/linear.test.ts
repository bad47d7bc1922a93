import { describe, expect, it } from 'vitest';
import { linearScores, matmul } from '../../../src/engine/nn/linear.js';
import { ShapeError } from '../../../src/engine/nn/shapes.js';
import { expectClose } from './helpers.js';

describe('linearScores', () => {
  // The cat-image example of the notes: 4 pixels, 3 classes (cat, dog, ship).
  const W = [
    [0.2, -0.5, 0.1, 2.0],
    [1.5, 1.3, 2.1, 0.0],
    [0, 0.25, 0.2, -0.3],
  ];
  const x = [56, 231, 24, 2];
  const b = [1.1, 3.2, -1.2];

  it('computes Wx + b', () => {
    expectClose(linearScores(W, x, b), [-96.8, 437.9, 60.75], 10);
  });

  it('computes Wx without a bias', () => {
    expectClose(linearScores(W, x), [-97.9, 434.7, 61.95], 10);
  });

  it('rejects mismatched shapes', () => {
    expect(() => linearScores(W, [1, 2, 3])).toThrow(ShapeError);
    expect(() => linearScores(W, [1, 2, 3])).toThrow('linearScores: x has length 3 but W is 3×4');
    expect(() => linearScores(W, x, [1, 2])).toThrow('linearScores: b has length 2 but W has 3 rows (one bias per class)');
    expect(() => linearScores([[1, 2], [3]], [1, 2])).toThrow('linearScores: W is ragged: row 1 has length 1 but row 0 has length 2');
    expect(() => linearScores([1, 2] as unknown as number[][], [1, 2])).toThrow('linearScores: W must be a matrix');
  });
});

describe('matmul', () => {
  it('multiplies R×K by K×C', () => {
    expect(
      matmul(
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
      ),
    ).toEqual([
      [19, 22],
      [43, 50],
    ]);
    expect(matmul([[1, 2, 3]], [[1], [0], [-1]])).toEqual([[-2]]);
  });

  it('rejects mismatched inner dimensions', () => {
    expect(() => matmul([[1, 2]], [[1, 2]])).toThrow('matmul: A is 1×2 but B is 1×2 (inner dimensions differ)');
  });
});
