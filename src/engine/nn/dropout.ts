/**
 * Dropout (inverted: scaled at training time so the test-time forward pass is unchanged).
 */
import { checkFinite, checkSameShape, checkTensor, type Matrix, type SameShape, type Tensor, type Vector } from './shapes.js';
import type { Offers } from '../registry.js';

function maskValue(fn: string, m: number, where: string): number {
  if (m !== 0 && m !== 1) throw new RangeError(`${fn}: mask${where} must be 0 or 1, got ${m}`);
  return m;
}

/**
 * Inverted dropout, training-time forward pass: out = x ⊙ mask / p. Each unit is kept (mask 1) or
 * dropped (mask 0); dividing by the keep probability p keeps the expected activation unchanged, so
 * the test-time forward pass needs no scaling. The mask is given, not drawn: draw it as a
 * parameter (e.g. a vector of `choice` [0, 1]).
 * @param x The activations: a number, vector or matrix.
 * @param mask 0s and 1s.
 * @param p The keep probability, in (0, 1].
 * @returns x ⊙ mask / p.
 * @example dropoutForward([2, 4], [1, 0], 0.5) // [4, 0]
 */
export function dropoutForward<T extends Tensor>(x: T, mask: SameShape<T>, p: number): SameShape<T> {
  const F = 'dropoutForward';
  checkFinite(F, 'p', p);
  if (!(p > 0 && p <= 1)) throw new RangeError(`${F}: p=${p} is the keep probability and must be in (0, 1]`);
  const rank = checkTensor(F, 'x', x);
  checkSameShape(F, 'mask', mask, 'x', x);
  if (rank === 0) return (((x as number) * maskValue(F, mask as number, '')) / p) as SameShape<T>;
  if (rank === 1) return dropRow(F, x as Vector, mask as Vector, p, '') as SameShape<T>;
  const X = x as Matrix;
  const M = mask as Matrix;
  const out = new Array<Vector>(X.length);
  for (let r = 0; r < X.length; r++) out[r] = dropRow(F, X[r], M[r], p, `[${r}]`);
  return out as SameShape<T>;
}

function dropRow(fn: string, x: Vector, mask: Vector, p: number, prefix: string): Vector {
  const out = new Array<number>(x.length);
  for (let i = 0; i < x.length; i++) {
    const m = mask[i];
    if (m !== 0 && m !== 1) maskValue(fn, m, `${prefix}[${i}]`);
    out[i] = (x[i] * m) / p;
  }
  return out;
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { dropoutForward } satisfies Offers;
