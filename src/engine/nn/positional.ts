/**
 * Sinusoidal positional encoding of the Transformer.
 */
import { checkInteger } from './shapes.js';
import type { Offers } from '../registry.js';

/**
 * Positional encoding of position `pos` as a d-vector:
 * PE[2i] = sin(pos/10000^(2i/d)), PE[2i+1] = cos(pos/10000^(2i/d)).
 * pos is an integer ≥ 0, d an integer ≥ 1 (odd d ends with a sine).
 * @example positionalEncoding(0, 4) // [0, 1, 0, 1]
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
