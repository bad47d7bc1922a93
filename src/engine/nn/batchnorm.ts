/**
 * Batch normalization (training-mode forward pass).
 */
import { checkFinite, checkMatrix, checkPositive, checkVectorLength, type Matrix, type Vector } from './shapes.js';
import type { Offers } from '../registry.js';

/** Result of `batchnormForward`: the output and the batch statistics used to compute it. */
export interface BatchnormResult {
  /** γ ⊙ x̂ + β, N×D. */
  out: Matrix;
  /** Per-column mean μ_j, a D-vector. */
  mean: Vector;
  /** Per-column biased variance σ²_j = (1/N) Σ_i (x_ij − μ_j)², a D-vector. */
  var: Vector;
  /** Normalized input x̂_ij = (x_ij − μ_j)/√(σ²_j + ε), N×D. */
  xhat: Matrix;
}

function perColumn(fn: string, name: string, p: Vector | number, d: number): Vector | number {
  if (typeof p === 'number') return checkFinite(fn, name, p);
  return checkVectorLength(fn, name, p, d, `X has ${d} columns (one ${name} per feature)`);
}

/**
 * Batch normalization (training mode) of a minibatch X of N examples (rows) with D features
 * (columns), each feature normalized over the batch:
 * μ_j = (1/N) Σ_i x_ij; σ²_j = (1/N) Σ_i (x_ij − μ_j)² (the biased variance);
 * x̂_ij = (x_ij − μ_j)/√(σ²_j + ε); y_ij = γ_j x̂_ij + β_j.
 * Read the parts with `.out`, `.mean`, `.var`, `.xhat`.
 * @param X The minibatch, an N×D matrix.
 * @param gamma The scale γ: a D-vector (one per feature) or a number shared by all features.
 * @param beta The shift β: a D-vector or a number.
 * @param eps ε > 0, added to the variance.
 * @returns The output and the batch statistics it was computed with.
 * @example batchnormForward([[1], [3]], 1, 0).xhat // [[-0.999995], [0.999995]]
 * @example batchnormForward([[1, 2], [3, 6]], 1, 0).var // [1, 4]
 */
export function batchnormForward(X: Matrix, gamma: Vector | number, beta: Vector | number, eps = 1e-5): BatchnormResult {
  const F = 'batchnormForward';
  checkMatrix(F, 'X', X);
  const n = X.length;
  const d = X[0].length;
  const g = perColumn(F, 'gamma', gamma, d);
  const b = perColumn(F, 'beta', beta, d);
  checkPositive(F, 'eps', eps);
  const mean = new Array<number>(d).fill(0);
  const variance = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) {
    const row = X[i];
    for (let j = 0; j < d; j++) mean[j] += row[j];
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  // Two passes (mean first, then squared deviations) avoid the cancellation of E[x²] − E[x]².
  for (let i = 0; i < n; i++) {
    const row = X[i];
    for (let j = 0; j < d; j++) {
      const t = row[j] - mean[j];
      variance[j] += t * t;
    }
  }
  const inv = new Array<number>(d);
  for (let j = 0; j < d; j++) {
    variance[j] /= n;
    inv[j] = 1 / Math.sqrt(variance[j] + eps);
  }
  const out = new Array<Vector>(n);
  const xhat = new Array<Vector>(n);
  for (let i = 0; i < n; i++) {
    const row = X[i];
    const h = new Array<number>(d);
    const o = new Array<number>(d);
    for (let j = 0; j < d; j++) {
      const v = (row[j] - mean[j]) * inv[j];
      h[j] = v;
      o[j] = (typeof g === 'number' ? g : g[j]) * v + (typeof b === 'number' ? b : b[j]);
    }
    xhat[i] = h;
    out[i] = o;
  }
  return { out, mean, var: variance, xhat };
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { batchnormForward } satisfies Offers;
