import { describe, expect, it } from 'vitest';
import { lrCosine, lrInvSqrt, lrLinear, lrStep } from '../../../src/engine/nn/schedules.js';
import { ref } from './helpers.js';

describe('lrStep', () => {
  const milestones = [30, 60, 90];
  it('multiplies by γ at every milestone reached (the milestone epoch itself included)', () => {
    expect(lrStep(0.1, 0, milestones)).toBe(0.1);
    expect(lrStep(0.1, 29, milestones)).toBe(0.1);
    expect(lrStep(0.1, 30, milestones)).toBeCloseTo(0.01, 15);
    expect(lrStep(0.1, 59, milestones)).toBeCloseTo(0.01, 15);
    expect(lrStep(0.1, 60, milestones)).toBeCloseTo(0.001, 15);
    expect(lrStep(0.1, 95, milestones)).toBeCloseTo(1e-4, 15);
    expect(lrStep(0.1, 30, milestones, 0.5)).toBe(0.05);
    expect(lrStep(0.1, 100, [])).toBe(0.1);
  });

  it('rejects bad arguments', () => {
    expect(() => lrStep(0.1, -1, milestones)).toThrow('lrStep: epoch=-1 must be ≥ 0');
    expect(() => lrStep(0.1, 5, milestones, 0)).toThrow('lrStep: gamma=0 must be > 0');
    expect(() => lrStep(0.1, 5, [30, NaN])).toThrow('lrStep: milestones[1] must be a finite number');
  });
});

describe('lrCosine, lrLinear, lrInvSqrt', () => {
  it('cosine: ½α0(1 + cos(tπ/T))', () => {
    [0, 25, 50, 100].forEach((t, i) => expect(lrCosine(0.1, t, 100)).toBeCloseTo(ref.cos[i], 15));
  });

  it('linear: α0(1 − t/T)', () => {
    expect(lrLinear(0.1, 0, 100)).toBe(0.1);
    expect(lrLinear(0.1, 25, 100)).toBeCloseTo(0.075, 15);
    expect(lrLinear(0.1, 100, 100)).toBe(0);
  });

  it('inverse sqrt: α0/√t', () => {
    expect(lrInvSqrt(0.1, 1)).toBe(0.1);
    expect(lrInvSqrt(0.1, 4)).toBe(0.05);
    expect(lrInvSqrt(1, 2)).toBeCloseTo(Math.SQRT1_2, 15);
  });

  it('rejects t outside the schedule', () => {
    expect(() => lrCosine(0.1, 101, 100)).toThrow('lrCosine: t=101 must be in [0, T] = [0, 100]');
    expect(() => lrLinear(0.1, -1, 100)).toThrow('lrLinear: t=-1 must be in [0, T] = [0, 100]');
    expect(() => lrLinear(0.1, 1, 0)).toThrow('lrLinear: T=0 must be > 0');
    expect(() => lrInvSqrt(0.1, 0.5)).toThrow('lrInvSqrt: t=0.5 must be ≥ 1');
  });
});
