import { describe, expect, it } from 'vitest';
import { lstmStep, rnnStep } from '../../../src/engine/nn/rnn.js';
import { ShapeError } from '../../../src/engine/nn/shapes.js';
import { expectClose, ref } from './helpers.js';

describe('rnnStep', () => {
  const Whh = [
    [0.5, -0.3],
    [0.1, 0.8],
  ];
  const Wxh = [
    [1.0, 0.2, -0.5],
    [-0.7, 0.4, 0.3],
  ];

  it('computes tanh(Whh·h + Wxh·x)', () => {
    expectClose(rnnStep(Whh, Wxh, [0.2, -0.1], [1.0, 0.5, -2.0]), ref.rnn, 14);
    expect(rnnStep([[2]], [[1]], [0.5], [0])).toEqual([Math.tanh(1)]);
  });

  it('rejects mismatched shapes', () => {
    expect(() => rnnStep([[1, 0]], Wxh, [0.2, -0.1], [1, 0.5, -2])).toThrow(ShapeError);
    expect(() => rnnStep([[1, 0]], Wxh, [0.2, -0.1], [1, 0.5, -2])).toThrow('rnnStep: Whh is 1×2 but h has length 2, so Whh must be 2×2');
    expect(() => rnnStep(Whh, [[1, 2, 3]], [0.2, -0.1], [1, 0.5, -2])).toThrow('rnnStep: Wxh is 1×3 but h has length 2, so Wxh must have 2 rows');
    expect(() => rnnStep(Whh, Wxh, [0.2, -0.1], [1, 0.5])).toThrow('rnnStep: x has length 2 but Wxh is 2×3');
  });
});

describe('lstmStep', () => {
  const { W } = ref.lstm;
  const h = [0.3, -0.6];
  const x = [0.8];
  const c = [0.5, -0.25];

  it('matches numpy with gate order i, f, o, g', () => {
    const r = lstmStep(W, h, x, c);
    expectClose(r.i, ref.lstm.i, 14);
    expectClose(r.f, ref.lstm.f, 14);
    expectClose(r.o, ref.lstm.o, 14);
    expectClose(r.g, ref.lstm.g, 14);
    expectClose(r.c, ref.lstm.c, 14);
    expectClose(r.h, ref.lstm.h, 14);
  });

  it('with zero weights: all gates ½, candidate 0, so c′ = c/2', () => {
    const Z = Array.from({ length: 4 }, () => [0, 0]);
    const r = lstmStep(Z, [0], [1], [2]);
    expect(r.i).toEqual([0.5]);
    expect(r.g).toEqual([0]);
    expect(r.c).toEqual([1]);
    expect(r.h).toEqual([0.5 * Math.tanh(1)]);
  });

  it('rejects a W that is not 4H×(H+D)', () => {
    expect(() => lstmStep(W.slice(1), h, x, c)).toThrow('lstmStep: W is 7×3 but H=2 and D=1 require W to be 4H×(H+D) = 8×3');
    expect(() => lstmStep(W, h, x, [1])).toThrow('lstmStep: c has length 1 but h has length 2');
  });
});
