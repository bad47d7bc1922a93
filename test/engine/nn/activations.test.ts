import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  elu,
  eluGrad,
  gelu,
  geluGrad,
  leakyRelu,
  leakyReluGrad,
  relu,
  reluGrad,
  sigmoid,
  sigmoidGrad,
  tanh,
  tanhGrad,
} from '../../../src/engine/nn/activations.js';
import { ShapeError } from '../../../src/engine/nn/shapes.js';
import { centralDiff, expectClose, ref, relClose } from './helpers.js';

// The points of reference.py.
const pts = [-3.0, -1.5, -0.2, 0.0, 0.7, 2.5];

describe('values against sympy', () => {
  it('sigmoid, sigmoidGrad, tanhGrad', () => {
    expectClose(sigmoid(pts), ref.sigmoid, 14);
    expectClose(sigmoidGrad(pts), ref.sigmoidGrad, 14);
    expectClose(tanhGrad(pts), ref.tanhGrad, 14);
    expectClose(tanh(pts), pts.map(Math.tanh), 15);
  });

  it('gelu (tanh form) and its exact derivative', () => {
    expectClose(gelu(pts), ref.gelu, 14);
    expectClose(geluGrad(pts), ref.geluGrad, 14);
    expect(gelu(1)).toBeCloseTo(0.8411919906082768, 14);
  });

  it('elu and eluGrad with α = 1.5', () => {
    expectClose(elu(pts, 1.5), ref.elu, 14);
    expectClose(eluGrad(pts, 1.5), ref.eluGrad, 14);
    expect(elu(-1)).toBeCloseTo(Math.exp(-1) - 1, 15);
    expect(eluGrad(0)).toBe(1);
  });
});

describe('piecewise-linear units', () => {
  it('relu and reluGrad (0 at the kink)', () => {
    expect(relu([-1, 0, 2])).toEqual([0, 0, 2]);
    expect(reluGrad([-1, 0, 2])).toEqual([0, 0, 1]);
  });

  it('leakyRelu and leakyReluGrad (slope at the kink)', () => {
    expect(leakyRelu(-2)).toBeCloseTo(-0.2, 15);
    expect(leakyRelu(3)).toBe(3);
    expect(leakyRelu(-2, 0.01)).toBeCloseTo(-0.02, 15);
    expect(leakyReluGrad([-2, 0, 3])).toEqual([0.1, 0.1, 1]);
    expect(leakyReluGrad(0, 0.01)).toBe(0.01);
  });
});

describe('shapes', () => {
  it('applies elementwise to scalars, vectors and matrices', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(
      relu([
        [-1, 2],
        [3, -4],
      ]),
    ).toEqual([
      [0, 2],
      [3, 0],
    ]);
    expect(tanhGrad([[0]])).toEqual([[1]]);
    expect(sigmoidGrad([0, 0])).toEqual([0.25, 0.25]);
  });

  it('is stable at extreme inputs', () => {
    expect(sigmoid([-1000, 1000])).toEqual([0, 1]);
    expect(sigmoidGrad(-1000)).toBe(0);
    expect(elu(-1000)).toBe(-1);
    expect(gelu(-1000)).toBeCloseTo(0, 15);
    expect(gelu(1000)).toBe(1000);
  });

  it('rejects non-finite and non-numeric input', () => {
    expect(() => sigmoid(NaN)).toThrow('sigmoid: x must be a finite number, got NaN');
    expect(() => relu([1, Infinity])).toThrow('relu: x[1] must be a finite number, got Infinity');
    expect(() => gelu([[1], [2, 3]])).toThrow(ShapeError);
    expect(() => tanh(['a'] as unknown as number[])).toThrow('tanh: x[0] must be a finite number, got "a"');
    expect(() => leakyRelu(1, NaN)).toThrow('leakyRelu: slope must be a finite number, got NaN');
  });
});

describe('derivatives match central finite differences', () => {
  const smooth = fc.double({ min: -6, max: 6, noNaN: true });
  const awayFromZero = smooth.filter((x) => Math.abs(x) > 1e-3);
  const scalar = (f: (x: number) => unknown) => (x: number) => f(x) as number;

  it('sigmoid, tanh, gelu', () => {
    fc.assert(
      fc.property(smooth, (x) => {
        expect(relClose(sigmoidGrad(x), centralDiff(scalar(sigmoid), x), 1e-8)).toBe(true);
        expect(relClose(tanhGrad(x), centralDiff(scalar(tanh), x), 1e-8)).toBe(true);
        expect(relClose(geluGrad(x), centralDiff(scalar(gelu), x), 1e-8)).toBe(true);
      }),
    );
  });

  it('elu, relu, leakyRelu away from the kink', () => {
    fc.assert(
      fc.property(awayFromZero, fc.double({ min: 0.01, max: 3, noNaN: true }), (x, a) => {
        expect(
          relClose(
            eluGrad(x, a),
            centralDiff((t) => elu(t, a), x, 1e-7),
            1e-6,
          ),
        ).toBe(true);
        expect(relClose(reluGrad(x), centralDiff(scalar(relu), x, 1e-7), 1e-6)).toBe(true);
        expect(
          relClose(
            leakyReluGrad(x, a),
            centralDiff((t) => leakyRelu(t, a), x, 1e-7),
            1e-6,
          ),
        ).toBe(true);
      }),
    );
  });
});
