/**
 * Seeded randomness. Every draw is an integer from xoroshiro128+ (pure-rand), so a variant
 * depends only on its seed and template, never on the machine or Node version; reals are
 * integers on a decimal grid divided once.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

export interface Rng {
  /** A uniform integer in [min, max]. */
  int(min: number, max: number): number;
}

export const MAX_SEED = 0xffffffff;

/** createRng(seed): a generator for one variant; seed is an integer in [0, 2^32). */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(`seed must be an integer in 0..${MAX_SEED}, got ${seed}`);
  }
  const gen = xoroshiro128plus(seed | 0);
  return {
    int(min, max) {
      if (min === max) return min;
      return uniformInt(gen, min, max);
    },
  };
}
