import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attentionWeights, selfAttention } from '../../../src/engine/nn/attention.js';
import { ShapeError } from '../../../src/engine/nn/shapes.js';
import { expectClose, ref } from './helpers.js';

const X = [
  [1.0, 0.0, 2.0],
  [0.5, -1.0, 0.0],
  [0.0, 1.0, 1.0],
];
const Wq = [
  [1.0, 0.5],
  [0.0, -1.0],
  [0.5, 0.2],
];
const Wk = [
  [0.3, 0.0],
  [1.0, 0.4],
  [-0.2, 0.9],
];
const Wv = [[1.0], [2.0], [-1.0]];

describe('attentionWeights', () => {
  it('is the row softmax of QKᵀ/√D', () => {
    expectClose(attentionWeights(ref.att.Q, ref.att.K), ref.att.weights, 14);
    const s = 1 / (1 + Math.exp(-1 / Math.SQRT2));
    expectClose(
      attentionWeights(
        [[1, 0]],
        [
          [1, 0],
          [0, 1],
        ],
      ),
      [[s, 1 - s]],
      15,
    );
  });

  it('has rows summing to 1 for any queries and keys', () => {
    const rows = (n: number) =>
      fc.array(fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 2, maxLength: 2 }), { minLength: n, maxLength: n });
    fc.assert(
      fc.property(rows(3), rows(4), (Q, K) => {
        const A = attentionWeights(Q, K);
        expect(A.length).toBe(3);
        for (const row of A) {
          expect(row.length).toBe(4);
          expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        }
      }),
    );
  });

  it('rejects keys of another dimension', () => {
    expect(() => attentionWeights([[1, 2]], [[1, 2, 3]])).toThrow(ShapeError);
    expect(() => attentionWeights([[1, 2]], [[1, 2, 3]])).toThrow('attentionWeights: queries have dimension 2 (Q is 1×2) but keys have dimension 3 (K is 1×3)');
  });
});

describe('selfAttention', () => {
  it('matches numpy for Q, K, V, weights and Y', () => {
    const r = selfAttention(X, Wq, Wk, Wv);
    expectClose(r.Q, ref.att.Q, 14);
    expectClose(r.K, ref.att.K, 14);
    expectClose(r.V, ref.att.V, 14);
    expectClose(r.weights, ref.att.weights, 14);
    expectClose(r.Y, ref.att.Y, 14);
  });

  it('rejects projection matrices of the wrong size', () => {
    expect(() => selfAttention(X, Wq.slice(1), Wk, Wv)).toThrow('selfAttention: Wq is 2×2 but X is 3×3, so it needs 3 rows');
    expect(() => selfAttention(X, Wq, [[1], [2], [3]], Wv)).toThrow('selfAttention: Wq is 3×2 but Wk is 3×1; queries and keys need the same dimension');
  });
});
