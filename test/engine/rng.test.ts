import { describe, expect, it } from 'vitest';
import { compileTemplate, instantiate } from '../../src/engine/index.js';
import { createRng } from '../../src/engine/rng.js';

/** The first parameter of `params` over seeds first … first + n − 1. */
function firstDraws(params: Record<string, unknown>, n: number, first = 1): number[] {
  const ct = compileTemplate({
    id: 'rng-spread',
    title: 'spread',
    topic: 'rng',
    difficulty: 1,
    params,
    prompt: 'x',
    answers: [{ id: 'a', label: 'a', type: 'number', expr: '1' }],
  });
  return Array.from({ length: n }, (_, i) => instantiate(ct, first + i).secret.params.x as number);
}

/** Pearson's χ² of counts in `bins` equal bins of [lo, hi]. */
function chiSquare(xs: number[], lo: number, hi: number, bins: number): number {
  const counts = new Array<number>(bins).fill(0);
  for (const x of xs) counts[Math.min(bins - 1, Math.floor(((x - lo) / (hi - lo + 1)) * bins))]++;
  const expected = xs.length / bins;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

describe('seeds', () => {
  it('consecutive seeds explore a wide int range: seeds 1..200 spread over 1..1000', () => {
    const xs = firstDraws({ x: { type: 'int', min: 1, max: 1000 } }, 200);
    // 10 bins of 100, 20 expected in each: χ² with 9 degrees of freedom exceeds 27.9 with probability 0.001.
    // The unmixed seed gave 200 consecutive values (χ² ≈ 800).
    expect(chiSquare(xs, 1, 1000, 10)).toBeLessThan(27.9);
    // 200 uniform draws from 1000 values give about 181 distinct ones (sd ≈ 5).
    expect(new Set(xs).size).toBeGreaterThan(160);
    expect(Math.min(...xs)).toBeLessThan(50);
    expect(Math.max(...xs)).toBeGreaterThan(950);
  });

  it('a two-valued parameter does not follow the seed’s parity', () => {
    const ks = firstDraws({ x: { type: 'int', min: 0, max: 1 } }, 200);
    const even = ks.filter((_, i) => (i + 1) % 2 === 0);
    const odd = ks.filter((_, i) => (i + 1) % 2 === 1);
    for (const half of [even, odd]) {
      const ones = half.filter((k) => k === 1).length;
      // Binomial(100, ½): 30..70 holds with probability > 0.9999.
      expect(ones).toBeGreaterThan(30);
      expect(ones).toBeLessThan(70);
    }
    // Neighbouring seeds agree about half the time (the unmixed seed: never).
    const same = ks.slice(1).filter((k, i) => k === ks[i]).length;
    expect(same).toBeGreaterThan(65);
    expect(same).toBeLessThan(135);
  });

  it('draws what an independent implementation of the mixer and xoroshiro128+ draws (test/engine/rng-reference.py)', () => {
    const draws = (seed: number, lo: number, hi: number) => {
      const r = createRng(seed);
      return Array.from({ length: 5 }, () => r.int(lo, hi));
    };
    expect(draws(1, 0, 1e9)).toEqual([208292727, 8868473, 958508164, 247336769, 205244947]);
    expect(draws(0, 0, 99)).toEqual([90, 85, 65, 0, 93]);
    expect(draws(0xffffffff, -5, 5)).toEqual([-5, -4, -3, 5, -4]);
  });

  it('a real parameter is spread too, and seed 0 and the largest seed work', () => {
    const xs = firstDraws({ x: { type: 'real', min: 0, max: 1, decimals: 3 } }, 200);
    expect(
      chiSquare(
        xs.map((x) => Math.round(x * 1000)),
        0,
        1000,
        10,
      ),
    ).toBeLessThan(27.9);
    for (const seed of [0, 0xffffffff]) {
      const r = createRng(seed);
      const draws = Array.from({ length: 50 }, () => r.int(0, 1_000_000));
      expect(new Set(draws).size).toBeGreaterThan(45);
    }
  });
});
