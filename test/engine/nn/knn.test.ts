import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { knnPredict, type Label } from '../../../src/engine/nn/knn.js';
import { ShapeError } from '../../../src/engine/nn/shapes.js';

// A deliberately naive reference: sort every row by (distance, index), then count votes.
function naiveKnn(X: number[][], y: Label[], x: number[], k: number, metric: 'l1' | 'l2'): Label {
  const d = X.map((row, i) => {
    let s = 0;
    for (let j = 0; j < row.length; j++) s += metric === 'l1' ? Math.abs(row[j] - x[j]) : (row[j] - x[j]) ** 2;
    return { i, s };
  });
  d.sort((p, q) => p.s - q.s || p.i - q.i);
  const order = d.slice(0, k).map((e) => y[e.i]);
  const counts = new Map<Label, number>();
  for (const l of order) counts.set(l, (counts.get(l) ?? 0) + 1);
  const top = Math.max(...counts.values());
  return order.find((l) => counts.get(l) === top) as Label;
}

describe('knnPredict', () => {
  it('uses the requested metric (L1 and L2 can disagree)', () => {
    // From the origin, A = (2, 2) has d1 = 4, d2 ≈ 2.83; B = (3.5, 0) has d1 = d2 = 3.5.
    const X = [
      [2, 2],
      [3.5, 0],
    ];
    expect(knnPredict(X, ['cat', 'dog'], [0, 0], 1, 'l1')).toBe('dog');
    expect(knnPredict(X, ['cat', 'dog'], [0, 0], 1, 'l2')).toBe('cat');
  });

  it('takes the majority of the k nearest', () => {
    const X = [[0], [1], [2], [10], [11]];
    const y = [0, 1, 1, 0, 0];
    expect(knnPredict(X, y, [0.4], 1, 'l2')).toBe(0);
    expect(knnPredict(X, y, [0.4], 3, 'l2')).toBe(1);
    expect(knnPredict(X, y, [0.4], 5, 'l1')).toBe(0);
  });

  it('breaks distance ties by the lower training index', () => {
    const X = [
      [1, 0],
      [0, 1],
      [-1, 0],
    ];
    expect(knnPredict(X, [5, 6, 7], [0, 0], 1, 'l2')).toBe(5);
    expect(knnPredict(X, [7, 6, 5], [0, 0], 1, 'l1')).toBe(7);
    // A later row at the same distance does not displace an earlier one from the k best.
    expect(knnPredict(X, ['a', 'b', 'c'], [0, 0], 2, 'l2')).toBe('a');
  });

  it('breaks vote ties by the label whose nearest member is closest', () => {
    // Neighbour order: b (0.5), a (1), a (2), b (3); with k = 4 the vote is 2–2 and b is nearest.
    const X = [[1], [0.5], [3], [2]];
    const y = ['a', 'b', 'b', 'a'];
    expect(knnPredict(X, y, [0], 4, 'l1')).toBe('b');
    // With k = 3 the vote is a: 2, b: 1, so the majority wins over the nearest.
    expect(knnPredict(X, y, [0], 3, 'l1')).toBe('a');
    // Tie of 1–1 at k = 2: the nearest (b) wins.
    expect(knnPredict(X, y, [0], 2, 'l2')).toBe('b');
  });

  it('keeps number and string labels distinct', () => {
    const X = [[0], [1], [2]];
    expect(knnPredict(X, [1, '1', '1'], [0], 3, 'l1')).toBe('1');
    expect(knnPredict(X, [1, '1', 1], [0], 3, 'l1')).toBe(1);
  });

  it('rejects bad arguments with clear messages', () => {
    const X = [
      [0, 0],
      [1, 1],
    ];
    expect(() => knnPredict(X, [0, 1], [0, 0], 3, 'l2')).toThrow('knnPredict: k=3 exceeds the 2 training rows');
    expect(() => knnPredict(X, [0, 1], [0, 0], 0, 'l2')).toThrow('knnPredict: k=0 must be ≥ 1');
    expect(() => knnPredict(X, [0, 1], [0, 0], 1.5, 'l2')).toThrow('knnPredict: k must be an integer, got 1.5');
    expect(() => knnPredict(X, [0], [0, 0], 1, 'l2')).toThrow('knnPredict: ytr has 1 labels but Xtr has 2 rows');
    expect(() => knnPredict(X, [0, 1], [0, 0, 0], 1, 'l2')).toThrow(ShapeError);
    expect(() => knnPredict(X, [0, 1], [0, 0, 0], 1, 'l2')).toThrow('knnPredict: x has length 3 but Xtr has 2 columns');
    expect(() => knnPredict(X, [0, NaN], [0, 0], 1, 'l2')).toThrow('knnPredict: ytr[1] must be a finite number or a string');
    expect(() => knnPredict(X, [0, 1], [0, 0], 1, 'l3' as 'l1')).toThrow(`knnPredict: metric must be 'l1' or 'l2', got "l3"`);
  });

  it('matches a naive sort-and-count reference (with many ties)', () => {
    const problem = fc.record({ n: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 3 }) }).chain(({ n, d }) =>
      fc.record({
        X: fc.array(fc.array(fc.integer({ min: -2, max: 2 }), { minLength: d, maxLength: d }), { minLength: n, maxLength: n }),
        y: fc.array(fc.constantFrom<Label>(0, 1, 2, 'a'), { minLength: n, maxLength: n }),
        x: fc.array(fc.integer({ min: -2, max: 2 }), { minLength: d, maxLength: d }),
        k: fc.integer({ min: 1, max: n }),
        metric: fc.constantFrom<'l1' | 'l2'>('l1', 'l2'),
      }),
    );
    fc.assert(
      fc.property(problem, ({ X, y, x, k, metric }) => {
        expect(knnPredict(X, y, x, k, metric)).toBe(naiveKnn(X, y, x, k, metric));
      }),
      { numRuns: 500 },
    );
  });
});
