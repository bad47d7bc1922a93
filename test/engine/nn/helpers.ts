/**
 * Shared helpers for the nn tests: the independently computed reference values
 * (`reference.py` → `reference.json`) and a recursive closeness assertion.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

type Vec = number[];
type Mat = number[][];

export interface Reference {
  softmax: Vec;
  softmaxLoss0: number;
  softmaxLoss_big: number;
  momentum: { x: Vec; v: Vec };
  nesterov: { x: Vec; v: Vec };
  adagrad: { x: Vec; cache: Vec };
  rmsprop: { x: Vec; cache: Vec };
  adam: { x: Vec; m: Vec; v: Vec };
  cos: Vec;
  gelu: Vec;
  geluGrad: Vec;
  sigmoid: Vec;
  sigmoidGrad: Vec;
  tanhGrad: Vec;
  elu: Vec;
  eluGrad: Vec;
  bn: { mean: Vec; var: Vec; xhat: Mat; out: Mat };
  rnn: Vec;
  lstm: { W: Mat; h: Vec; c: Vec; i: Vec; f: Vec; o: Vec; g: Vec };
  att: { Q: Mat; K: Mat; V: Mat; weights: Mat; Y: Mat };
  pe: Vec;
  neuron: Record<string, number>;
  neuronValue: number;
  composite: { value: number; a: number; b: number };
  pow: { value: number; a: number; b: number };
}

export const ref = JSON.parse(readFileSync(new URL('./reference.json', import.meta.url), 'utf8')) as Reference;

/** Asserts numbers, vectors or matrices agree to `digits` decimal places (toBeCloseTo). */
export function expectClose(actual: unknown, expected: unknown, digits = 10): void {
  if (typeof expected === 'number') {
    expect(typeof actual).toBe('number');
    expect(actual as number).toBeCloseTo(expected, digits);
    return;
  }
  expect(Array.isArray(actual)).toBe(true);
  const a = actual as unknown[];
  const e = expected as unknown[];
  expect(a.length).toBe(e.length);
  for (let i = 0; i < e.length; i++) expectClose(a[i], e[i], digits);
}

/** Central finite difference (f(x + h) − f(x − h)) / 2h. */
export function centralDiff(f: (x: number) => number, x: number, h = 1e-6): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

/** |a − b| ≤ tol·max(1, |b|). */
export function relClose(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}
