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
 * Spatial output size of a convolution layer, W₂ = (W₁ − F + 2P)/S + 1, for an input of width
 * (or height) W₁, filters of size F×F, stride S and zero padding P. Throws when the filter does
 * not fit or the stride does not tile the input (the result would not be a whole number).
 * @param W The input width (or height) W₁: an integer ≥ 1.
 * @param F The filter size: an integer ≥ 1.
 * @param S The stride: an integer ≥ 1.
 * @param P The zero padding on each side: an integer ≥ 0.
 * @returns The output width W₂, an integer ≥ 1.
 * @example convOutputSize(32, 5, 1, 2) // 32
 * @example convOutputSize(7, 3, 2) // 3
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
 * Spatial output size of a pooling layer, W₂ = (W₁ − F)/S + 1, for an input of width (or height)
 * W₁, an F×F window and stride S. Throws unless the result is a whole positive number.
 * @param W The input width (or height) W₁: an integer ≥ 1.
 * @param F The window size: an integer ≥ 1.
 * @param S The stride: an integer ≥ 1.
 * @returns The output width W₂, an integer ≥ 1.
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
 * Number of learnable parameters of a convolution layer with K filters of size F×F over C input
 * channels: F²·C·K weights plus K biases. (A pooling layer has none.)
 * @param F The filter size: an integer ≥ 1.
 * @param C The number of input channels: an integer ≥ 1.
 * @param K The number of filters (output channels): an integer ≥ 1.
 * @returns F²·C·K + K.
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
 * Single-channel 2-D convolution as CNNs compute it (a cross-correlation: the kernel is not
 * flipped), with stride S and zero padding P: Y_rc = Σ_{i,j} K_ij·X̃_{r·S+i, c·S+j}, where X̃ is X
 * with P rows and columns of zeros added on every side. Indices are 0-based. Throws when the
 * output size (H − F_h + 2P)/S + 1 (or likewise for the width) is not a whole number.
 * @param X The input, an H×W matrix.
 * @param K The kernel (filter), an F_h×F_w matrix.
 * @param stride S: an integer ≥ 1.
 * @param pad P: an integer ≥ 0.
 * @returns The H₂×W₂ output matrix, H₂ = (H − F_h + 2P)/S + 1 and W₂ = (W − F_w + 2P)/S + 1.
 * @example conv2d([[1, 2], [3, 4]], [[1, 0], [0, 1]]) // [[5]]
 * @example conv2d([[1, 2], [3, 4]], [[1]], 1, 1) // [[0, 0, 0, 0], [0, 1, 2, 0], [0, 3, 4, 0], [0, 0, 0, 0]]
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
 * Max pooling with an F×F window and stride S: each output is the largest input in its window,
 * Y_rc = max_{0 ≤ i, j < F} X_{r·S+i, c·S+j} (0-based). Throws unless the window tiles the input.
 * @param X The input, an H×W matrix.
 * @param F The window size: an integer ≥ 1.
 * @param S The stride: an integer ≥ 1; the default S = F gives non-overlapping windows.
 * @returns The ((H − F)/S + 1)×((W − F)/S + 1) output matrix.
 * @example maxPool2d([[1, 2], [3, 4]], 2) // [[4]]
 * @example maxPool2d([[1, 5, 2], [0, 3, 4], [7, 1, 1]], 2, 1) // [[5, 5], [7, 4]]
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
