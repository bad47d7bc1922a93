/**
 * Convolution and pooling layer arithmetic, and single-channel 2-D convolution / max pooling.
 */
import { checkInteger, checkMatrix, type Matrix, type Vector } from './shapes.js';
import type { Offers } from '../registry.js';

// Shared by the public size functions and by conv2d/maxPool2d, so a bad layer configuration is
// reported with the same explanation wherever it is detected. `what` names the dimension.
function outputSize(fn: string, what: string, W: number, F: number, S: number, P: number): number {
  const span = W - F + 2 * P;
  if (span < 0) {
    const input = what === '' ? 'input' : `input ${what}`;
    const size = P === 0 ? `${input} W = ${W}` : `padded ${input} W + 2P = ${W + 2 * P}`;
    throw new RangeError(`${fn}: filter size F=${F} is larger than the ${size}`);
  }
  if (span % S !== 0) {
    const formula = P === 0 ? `(${W} − ${F})/${S} + 1` : `(${W} − ${F} + 2·${P})/${S} + 1`;
    throw new RangeError(
      `${fn}: output ${what === '' ? 'size' : what} ${formula} = ${span / S + 1} is not a whole number (stride S=${S} does not tile the input)`,
    );
  }
  return span / S + 1;
}

/**
 * Spatial output size of a convolution: (W − F + 2P)/S + 1 for input width W, filter size F,
 * stride S and zero padding P. Throws unless the result is a whole positive number.
 * @example convOutputSize(32, 5, 1, 2) // 32
 */
export function convOutputSize(W: number, F: number, S: number, P = 0): number {
  const fn = 'convOutputSize';
  checkInteger(fn, 'W', W, 1);
  checkInteger(fn, 'F', F, 1);
  checkInteger(fn, 'S', S, 1);
  checkInteger(fn, 'P', P, 0);
  return outputSize(fn, '', W, F, S, P);
}

/**
 * Spatial output size of a pooling layer: (W − F)/S + 1. Throws unless a whole positive number.
 * @example poolOutputSize(224, 2, 2) // 112
 */
export function poolOutputSize(W: number, F: number, S: number): number {
  const fn = 'poolOutputSize';
  checkInteger(fn, 'W', W, 1);
  checkInteger(fn, 'F', F, 1);
  checkInteger(fn, 'S', S, 1);
  return outputSize(fn, '', W, F, S, 0);
}

/**
 * Learnable parameters of a conv layer with K filters of size F×F over C input channels:
 * F²·C·K weights plus K biases.
 * @example convParams(5, 3, 10) // 760
 */
export function convParams(F: number, C: number, K: number): number {
  const fn = 'convParams';
  checkInteger(fn, 'F', F, 1);
  checkInteger(fn, 'C', C, 1);
  checkInteger(fn, 'K', K, 1);
  return F * F * C * K + K;
}

/**
 * Single-channel 2-D convolution as used in CNNs (cross-correlation, the kernel is not flipped)
 * with zero padding: Y[r][c] = Σ_{i,j} K[i][j]·X̃[r·S + i][c·S + j], X̃ = X padded by P zeros.
 * The output is H'×W' with H' = (H − F_h + 2P)/S + 1, W' likewise; throws if not whole.
 * @example conv2d([[1, 2], [3, 4]], [[1, 0], [0, 1]]) // [[5]]
 */
export function conv2d(X: Matrix, K: Matrix, stride = 1, pad = 0): Matrix {
  const fn = 'conv2d';
  checkMatrix(fn, 'X', X);
  checkMatrix(fn, 'K', K);
  checkInteger(fn, 'stride', stride, 1);
  checkInteger(fn, 'pad', pad, 0);
  const h = X.length;
  const w = X[0].length;
  const fh = K.length;
  const fw = K[0].length;
  const oh = outputSize(fn, 'height', h, fh, stride, pad);
  const ow = outputSize(fn, 'width', w, fw, stride, pad);
  const out = new Array<Vector>(oh);
  for (let r = 0; r < oh; r++) {
    const o = new Array<number>(ow);
    const top = r * stride - pad;
    for (let c = 0; c < ow; c++) {
      const left = c * stride - pad;
      let s = 0;
      for (let i = 0; i < fh; i++) {
        const xr = top + i;
        // Rows and columns outside X are the zero padding: they contribute nothing.
        if (xr < 0 || xr >= h) continue;
        const xrow = X[xr];
        const krow = K[i];
        for (let j = 0; j < fw; j++) {
          const xc = left + j;
          if (xc >= 0 && xc < w) s += krow[j] * xrow[xc];
        }
      }
      o[c] = s;
    }
    out[r] = o;
  }
  return out;
}

/**
 * Max pooling with an F×F window and stride S (default S = F):
 * Y[r][c] = max_{0 ≤ i, j < F} X[r·S + i][c·S + j]; output (H − F)/S + 1 × (W − F)/S + 1.
 * @example maxPool2d([[1, 2], [3, 4]], 2) // [[4]]
 */
export function maxPool2d(X: Matrix, F: number, S: number = F): Matrix {
  const fn = 'maxPool2d';
  checkMatrix(fn, 'X', X);
  checkInteger(fn, 'F', F, 1);
  checkInteger(fn, 'S', S, 1);
  const oh = outputSize(fn, 'height', X.length, F, S, 0);
  const ow = outputSize(fn, 'width', X[0].length, F, S, 0);
  const out = new Array<Vector>(oh);
  for (let r = 0; r < oh; r++) {
    const o = new Array<number>(ow);
    for (let c = 0; c < ow; c++) {
      let m = -Infinity;
      for (let i = 0; i < F; i++) {
        const row = X[r * S + i];
        for (let j = 0; j < F; j++) {
          const v = row[c * S + j];
          if (v > m) m = v;
        }
      }
      o[c] = m;
    }
    out[r] = o;
  }
  return out;
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { convOutputSize, poolOutputSize, convParams, conv2d, maxPool2d } satisfies Offers;
