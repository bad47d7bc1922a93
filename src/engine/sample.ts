/**
 * Drawing parameter values from their specs with a seeded Rng. Reals are drawn as integers on
 * the grid 10^-decimals and divided once, so `0.1` is exactly the double a student types.
 */
import type { Rng } from './rng.js';
import type { ScalarSpec } from './template-schema.js';

export type Scalar = number | string | number[] | number[][];

/** How many distinct values a scalar spec can produce (for `distinct` vectors). */
export function scalarCardinality(spec: ScalarSpec): number {
  switch (spec.type) {
    case 'int':
      return Math.floor((spec.max - spec.min) / spec.step) + 1 - (spec.exclude?.length ?? 0);
    case 'real':
      return Math.round((spec.max - spec.min) * 10 ** spec.decimals) + 1 - (spec.exclude?.length ?? 0);
    case 'choice':
      return spec.values.length;
  }
}

const MAX_EXCLUDE_REDRAWS = 1000;

/** drawScalar(spec, rng): one value of an int, real or choice spec. */
export function drawScalar(spec: ScalarSpec, rng: Rng): Scalar {
  switch (spec.type) {
    case 'int': {
      const n = Math.floor((spec.max - spec.min) / spec.step);
      for (let i = 0; i < MAX_EXCLUDE_REDRAWS; i++) {
        const v = spec.min + rng.int(0, n) * spec.step;
        if (!spec.exclude?.includes(v)) return v;
      }
      throw new RangeError('every drawn value was excluded');
    }
    case 'real': {
      const scale = 10 ** spec.decimals;
      const lo = Math.ceil(spec.min * scale - 1e-9);
      const hi = Math.floor(spec.max * scale + 1e-9);
      for (let i = 0; i < MAX_EXCLUDE_REDRAWS; i++) {
        // toFixed gives the double nearest the decimal, e.g. 3/10 → 0.3 rather than 0.30000000000000004.
        const v = Number((rng.int(lo, hi) / scale).toFixed(spec.decimals));
        if (!spec.exclude?.includes(v)) return Object.is(v, -0) ? 0 : v;
      }
      throw new RangeError('every drawn value was excluded');
    }
    case 'choice': {
      const v = spec.values[rng.int(0, spec.values.length - 1)];
      // A variant must never share an array with the template it came from.
      return Array.isArray(v) ? structuredClone(v) : v;
    }
  }
}

/** drawMany(spec, n, distinct, rng): n draws, all different when `distinct`. */
export function drawMany(spec: ScalarSpec, n: number, distinct: boolean, rng: Rng): Scalar[] {
  if (!distinct) {
    const out = new Array<Scalar>(n);
    for (let i = 0; i < n; i++) out[i] = drawScalar(spec, rng);
    return out;
  }
  if (scalarCardinality(spec) < n) throw new RangeError(`cannot draw ${n} distinct values from this range`);
  const seen = new Set<string>();
  const out: Scalar[] = [];
  for (let guard = 0; out.length < n; guard++) {
    if (guard > 100 * n + 1000) throw new RangeError(`could not draw ${n} distinct values`);
    const v = drawScalar(spec, rng);
    const key = JSON.stringify(v);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(v);
    }
  }
  return out;
}
