import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conv2d, convOutputSize, convParams, maxPool2d, poolOutputSize } from '../../../src/engine/nn/conv.js';
import { ShapeError } from '../../../src/engine/nn/shapes.js';

// Naive reference: build the zero-padded image explicitly, then slide the kernel.
function naiveConv(X: number[][], K: number[][], S: number, P: number): number[][] {
  const H = X.length + 2 * P;
  const W = X[0].length + 2 * P;
  const padded = Array.from({ length: H }, (_, r) => Array.from({ length: W }, (_, c) => (r >= P && r < H - P && c >= P && c < W - P ? X[r - P][c - P] : 0)));
  const out: number[][] = [];
  for (let r = 0; r + K.length <= H; r += S) {
    const row: number[] = [];
    for (let c = 0; c + K[0].length <= W; c += S) {
      let s = 0;
      for (let i = 0; i < K.length; i++) for (let j = 0; j < K[0].length; j++) s += K[i][j] * padded[r + i][c + j];
      row.push(s);
    }
    out.push(row);
  }
  return out;
}

describe('convOutputSize / poolOutputSize / convParams', () => {
  it('computes (W − F + 2P)/S + 1', () => {
    expect(convOutputSize(32, 5, 1, 2)).toBe(32);
    expect(convOutputSize(32, 5, 1, 0)).toBe(28);
    expect(convOutputSize(7, 3, 1, 0)).toBe(5);
    expect(convOutputSize(7, 3, 2, 0)).toBe(3);
    expect(convOutputSize(7, 3, 2)).toBe(3);
    expect(convOutputSize(227, 11, 4, 0)).toBe(55);
    expect(convOutputSize(3, 3, 1, 0)).toBe(1);
  });

  it('throws unless the result is a whole positive number', () => {
    expect(() => convOutputSize(7, 3, 3, 0)).toThrow(RangeError);
    expect(() => convOutputSize(7, 3, 3, 0)).toThrow('convOutputSize: output size (7 − 3)/3 + 1 = 2.333333333333333 is not a whole number');
    expect(() => convOutputSize(10, 3, 2, 1)).toThrow('convOutputSize: output size (10 − 3 + 2·1)/2 + 1 = 5.5 is not a whole number');
    expect(() => convOutputSize(3, 5, 1, 0)).toThrow('convOutputSize: filter size F=5 is larger than the input W = 3');
    expect(() => convOutputSize(3, 9, 1, 2)).toThrow('convOutputSize: filter size F=9 is larger than the padded input W + 2P = 7');
    expect(() => convOutputSize(32, 5, 0, 0)).toThrow('convOutputSize: S=0 must be ≥ 1');
    expect(() => convOutputSize(32.5, 5, 1, 0)).toThrow('convOutputSize: W must be an integer, got 32.5');
    expect(() => convOutputSize(32, 5, 1, -1)).toThrow('convOutputSize: P=-1 must be ≥ 0');
  });

  it('pool size is (W − F)/S + 1', () => {
    expect(poolOutputSize(224, 2, 2)).toBe(112);
    expect(poolOutputSize(4, 2, 2)).toBe(2);
    expect(poolOutputSize(5, 3, 2)).toBe(2);
    expect(() => poolOutputSize(5, 2, 2)).toThrow('poolOutputSize: output size (5 − 2)/2 + 1 = 2.5 is not a whole number');
  });

  it('counts F²CK + K parameters', () => {
    expect(convParams(5, 3, 10)).toBe(760);
    expect(convParams(3, 64, 128)).toBe(3 * 3 * 64 * 128 + 128);
    expect(() => convParams(0, 3, 10)).toThrow('convParams: F=0 must be ≥ 1');
  });

  it('returns a positive integer that satisfies the formula whenever it returns', () => {
    const small = (min: number) => fc.integer({ min, max: 40 });
    fc.assert(
      fc.property(small(1), small(1), small(1), small(0), (W, F, S, P) => {
        let out: number;
        try {
          out = convOutputSize(W, F, S, P);
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError);
          expect(W - F + 2 * P < 0 || (W - F + 2 * P) % S !== 0).toBe(true);
          return;
        }
        expect(Number.isInteger(out)).toBe(true);
        expect(out).toBeGreaterThanOrEqual(1);
        expect((out - 1) * S).toBe(W - F + 2 * P);
      }),
    );
  });
});

describe('conv2d', () => {
  const X = [
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
  ];

  it('cross-correlates without flipping the kernel', () => {
    expect(
      conv2d(X, [
        [1, 0],
        [0, -1],
      ]),
    ).toEqual([
      [-4, -4],
      [-4, -4],
    ]);
    // A flipped kernel (true convolution) would give +4 everywhere.
    expect(
      conv2d(
        [
          [1, 2],
          [3, 4],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ),
    ).toEqual([[5]]);
  });

  it('zero-pads and strides (worked by hand)', () => {
    const plus = [
      [0, 1, 0],
      [1, 1, 1],
      [0, 1, 0],
    ];
    expect(conv2d(X, plus, 2, 1)).toEqual([
      [7, 11],
      [19, 23],
    ]);
    expect(conv2d(X, plus, 1, 1)).toEqual([
      [7, 11, 11],
      [17, 25, 23],
      [19, 29, 23],
    ]);
  });

  it('rejects configurations whose output is not whole', () => {
    expect(() =>
      conv2d(
        X,
        [
          [1, 0],
          [0, 1],
        ],
        2,
        1,
      ),
    ).toThrow('conv2d: output height (3 − 2 + 2·1)/2 + 1 = 2.5 is not a whole number');
    expect(() => conv2d([[1, 2]], [[1], [1]])).toThrow('conv2d: filter size F=2 is larger than the input height W = 1');
    expect(() => conv2d(X, [])).toThrow(ShapeError);
  });

  it('agrees with a naive padded reference', () => {
    const problem = fc
      .record({
        h: fc.integer({ min: 1, max: 7 }),
        w: fc.integer({ min: 1, max: 7 }),
        fh: fc.integer({ min: 1, max: 3 }),
        fw: fc.integer({ min: 1, max: 3 }),
        S: fc.integer({ min: 1, max: 3 }),
        P: fc.integer({ min: 0, max: 2 }),
      })
      .filter(({ h, w, fh, fw, S, P }) => h + 2 * P >= fh && w + 2 * P >= fw && (h - fh + 2 * P) % S === 0 && (w - fw + 2 * P) % S === 0)
      .chain((d) =>
        fc.record({
          d: fc.constant(d),
          X: fc.array(fc.array(fc.integer({ min: -9, max: 9 }), { minLength: d.w, maxLength: d.w }), { minLength: d.h, maxLength: d.h }),
          K: fc.array(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: d.fw, maxLength: d.fw }), { minLength: d.fh, maxLength: d.fh }),
        }),
      );
    fc.assert(
      fc.property(problem, ({ d, X: img, K }) => {
        const out = conv2d(img, K, d.S, d.P);
        expect(out).toEqual(naiveConv(img, K, d.S, d.P));
        expect(out.length).toBe(convOutputSize(d.h, d.fh, d.S, d.P));
      }),
    );
  });
});

describe('maxPool2d', () => {
  it('takes window maxima (the 2×2, stride 2 example of the notes)', () => {
    const X = [
      [1, 1, 2, 4],
      [5, 6, 7, 8],
      [3, 2, 1, 0],
      [1, 2, 3, 4],
    ];
    expect(maxPool2d(X, 2, 2)).toEqual([
      [6, 8],
      [3, 4],
    ]);
    expect(maxPool2d(X, 2)).toEqual([
      [6, 8],
      [3, 4],
    ]);
    expect(maxPool2d(X, 3, 1)).toEqual([
      [7, 8],
      [7, 8],
    ]);
    expect(
      maxPool2d(
        [
          [-1, -2],
          [-3, -4],
        ],
        2,
      ),
    ).toEqual([[-1]]);
  });

  it('rejects windows that do not tile', () => {
    expect(() => maxPool2d([[1, 2, 3, 4]], 1, 2)).toThrow('maxPool2d: output width (4 − 1)/2 + 1 = 2.5 is not a whole number');
    expect(() => maxPool2d([[1, 2, 3]], 2, 1)).toThrow('maxPool2d: filter size F=2 is larger than the input height W = 1');
  });
});
