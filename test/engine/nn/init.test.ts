import { describe, expect, it } from 'vitest';
import { heStd, heVariance, xavierStd, xavierVariance } from '../../../src/engine/nn/init.js';

describe('initialization scales', () => {
  it('computes 1/din, 1/√din, 2/din, √(2/din)', () => {
    expect(xavierVariance(4)).toBe(0.25);
    expect(xavierStd(4)).toBe(0.5);
    expect(heVariance(4)).toBe(0.5);
    expect(heStd(8)).toBe(0.5);
    expect(xavierStd(512)).toBeCloseTo(0.04419417382415922, 15);
    expect(heVariance(3)).toBeCloseTo(2 / 3, 15);
  });

  it('requires a positive integer fan-in', () => {
    expect(() => xavierVariance(0)).toThrow('xavierVariance: din=0 must be ≥ 1');
    expect(() => heVariance(2.5)).toThrow('heVariance: din must be an integer, got 2.5');
    expect(() => xavierStd(NaN)).toThrow('xavierStd: din must be a finite number, got NaN');
  });
});
