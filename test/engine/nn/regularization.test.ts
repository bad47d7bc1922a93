import { describe, expect, it } from 'vitest';
import { elasticNetReg, fullLoss, l1Reg, l2Reg } from '../../../src/engine/nn/regularization.js';
import { ShapeError } from '../../../src/engine/nn/shapes.js';

const W = [
  [1, -2],
  [0, 3],
];

describe('regularization', () => {
  it('computes Σ|W|, ΣW² and Σ(βW² + |W|)', () => {
    expect(l1Reg(W)).toBe(6);
    expect(l2Reg(W)).toBe(14);
    expect(elasticNetReg(W, 0.5)).toBe(13);
    expect(l1Reg([0.5, -0.25])).toBe(0.75);
    expect(l2Reg([0.5, -0.25])).toBe(0.3125);
    expect(elasticNetReg([1, -2], 0.5)).toBe(5.5);
    expect(l2Reg(-3)).toBe(9);
  });

  it('prefers diffuse weights under L2 (the notes: w1 = [1,0,0,0] vs w2 = [.25,.25,.25,.25])', () => {
    expect(l2Reg([1, 0, 0, 0])).toBe(1);
    expect(l2Reg([0.25, 0.25, 0.25, 0.25])).toBe(0.25);
  });

  it('rejects bad input', () => {
    expect(() => l2Reg([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => l1Reg([1, NaN])).toThrow('l1Reg: W[1] must be a finite number, got NaN');
    expect(() => elasticNetReg(W, -1)).toThrow('elasticNetReg: beta=-1 must be ≥ 0');
    expect(() => l2Reg('w' as unknown as number)).toThrow('l2Reg: W must be a number, a vector or a matrix, got "w"');
  });
});

describe('fullLoss', () => {
  it('is mean(data losses) + λ·R', () => {
    // The three SVM examples of the notes average to 5.27.
    expect(fullLoss([2.9, 0, 12.9], 0, 0)).toBeCloseTo(5.266666666666667, 12);
    expect(fullLoss([2.9, 0, 12.9], 0.1, 14)).toBeCloseTo(5.266666666666667 + 1.4, 12);
    expect(fullLoss(2, 0.5, 4)).toBe(4);
  });

  it('rejects bad input', () => {
    expect(() => fullLoss([], 0.1, 1)).toThrow('fullLoss: dataLosses must not be empty');
    expect(() => fullLoss([1], -0.1, 1)).toThrow('fullLoss: lambda=-0.1 must be ≥ 0');
    expect(() => fullLoss([1], 0.1, NaN)).toThrow('fullLoss: reg must be a finite number, got NaN');
  });
});
