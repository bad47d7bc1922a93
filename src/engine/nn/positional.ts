/**
 * Sinusoidal positional encoding of the Transformer.
 */
import { checkInteger } from './shapes.js';
import type { Offers } from '../registry.js';

/**
 * The Transformer's sinusoidal positional encoding p_j = pos(j) of position j, a d-vector:
 * p[2i] = sin(j/10000^(2i/d)), p[2i+1] = cos(j/10000^(2i/d)) (0-based entries; for an odd d the
 * last entry is a sine). It is combined with the input vector x_j so attention can tell positions
 * apart.
 * @param pos The position j: an integer ≥ 0.
 * @param d The dimension d: an integer ≥ 1.
 * @returns The d-vector p_j.
 * @example positionalEncoding(0, 4) // [0, 1, 0, 1]
 * @example positionalEncoding(1, 2) // [0.841471, 0.540302]
 */
export function positionalEncoding(pos: number, d: number): number[] {
  const F = 'positionalEncoding';
  checkInteger(F, 'pos', pos, 0);
  checkInteger(F, 'd', d, 1);
  const out = new Array<number>(d);
  for (let k = 0; k < d; k += 2) {
    const angle = pos / Math.pow(10000, k / d);
    out[k] = Math.sin(angle);
    if (k + 1 < d) out[k + 1] = Math.cos(angle);
  }
  return out;
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { positionalEncoding } satisfies Offers;
