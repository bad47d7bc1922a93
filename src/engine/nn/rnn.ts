/**
 * One time step of a vanilla RNN and of an LSTM (no biases, as in the lecture formulas).
 */
import { dotUnchecked } from './kernels.js';
import { checkMatrix, checkMatrixShape, checkVector, checkVectorLength, ShapeError, type Matrix, type Vector } from './shapes.js';
import type { Offers } from '../registry.js';

/**
 * One time step of a vanilla RNN (no bias, as in the lecture): h_t = tanh(W_hh·h_{t−1} + W_xh·x_t).
 * @param Whh The hidden-to-hidden weights W_hh, an H×H matrix.
 * @param Wxh The input-to-hidden weights W_xh, an H×D matrix.
 * @param h The previous hidden state h_{t−1}, an H-vector.
 * @param x The input x_t, a D-vector.
 * @returns The new hidden state h_t, an H-vector.
 * @example rnnStep([[0]], [[1]], [0], [0]) // [0]
 * @example rnnStep([[0.5]], [[1, -1]], [1], [2, 1]) // [0.905148]
 */
export function rnnStep(Whh: Matrix, Wxh: Matrix, h: Vector, x: Vector): Vector {
  const F = 'rnnStep';
  checkVector(F, 'h', h);
  const H = h.length;
  checkMatrixShape(F, 'Whh', Whh, H, H, `h has length ${H}, so Whh must be ${H}×${H}`);
  checkMatrix(F, 'Wxh', Wxh);
  const D = Wxh[0].length;
  if (Wxh.length !== H) throw new ShapeError(`${F}: Wxh is ${Wxh.length}×${D} but h has length ${H}, so Wxh must have ${H} rows`);
  checkVectorLength(F, 'x', x, D, `Wxh is ${H}×${D}`);
  const out = new Array<number>(H);
  for (let r = 0; r < H; r++) out[r] = Math.tanh(dotUnchecked(Whh[r], h) + dotUnchecked(Wxh[r], x));
  return out;
}

/** Result of `lstmStep`: the new hidden and cell states and the four gate activations. */
export interface LstmResult {
  /** h' = o ⊙ tanh(c'). */
  h: Vector;
  /** c' = f ⊙ c + i ⊙ g. */
  c: Vector;
  /** Input gate σ(W_i·[h; x]). */
  i: Vector;
  /** Forget gate σ(W_f·[h; x]). */
  f: Vector;
  /** Output gate σ(W_o·[h; x]). */
  o: Vector;
  /** Candidate ("gate gate") tanh(W_g·[h; x]). */
  g: Vector;
}

function sigmoid1(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * One time step of an LSTM (no bias, as in the lecture). W is applied to the stacked vector
 * [h_{t−1}; x_t] and its four row blocks of H rows give, in order, the input gate i, forget gate f,
 * output gate o and the gate g:
 * (i, f, o, g) = (σ, σ, σ, tanh)(W·[h_{t−1}; x_t]); c_t = f ⊙ c_{t−1} + i ⊙ g; h_t = o ⊙ tanh(c_t).
 * Read the parts with `.h`, `.c`, `.i`, `.f`, `.o`, `.g`.
 * @param W The weights, a 4H×(H + D) matrix.
 * @param h The previous hidden state h_{t−1}, an H-vector.
 * @param x The input x_t, a D-vector.
 * @param c The previous cell state c_{t−1}, an H-vector.
 * @returns The new hidden and cell states and the four gates, each an H-vector.
 * @example lstmStep([[0, 0], [0, 0], [0, 0], [0, 0]], [0], [1], [2]).c // [1]
 */
export function lstmStep(W: Matrix, h: Vector, x: Vector, c: Vector): LstmResult {
  const F = 'lstmStep';
  checkVector(F, 'h', h);
  const H = h.length;
  checkVectorLength(F, 'c', c, H, `h has length ${H}`);
  checkVector(F, 'x', x);
  const D = x.length;
  checkMatrixShape(F, 'W', W, 4 * H, H + D, `H=${H} and D=${D} require W to be 4H×(H+D) = ${4 * H}×${H + D}`);
  const gi = new Array<number>(H);
  const gf = new Array<number>(H);
  const go = new Array<number>(H);
  const gg = new Array<number>(H);
  const c1 = new Array<number>(H);
  const h1 = new Array<number>(H);
  for (let k = 0; k < H; k++) {
    gi[k] = sigmoid1(stackedDot(W[k], h, x, H, D));
    gf[k] = sigmoid1(stackedDot(W[H + k], h, x, H, D));
    go[k] = sigmoid1(stackedDot(W[2 * H + k], h, x, H, D));
    gg[k] = Math.tanh(stackedDot(W[3 * H + k], h, x, H, D));
    c1[k] = gf[k] * c[k] + gi[k] * gg[k];
    h1[k] = go[k] * Math.tanh(c1[k]);
  }
  return { h: h1, c: c1, i: gi, f: gf, o: go, g: gg };
}

// w·[h; x] without materializing the concatenation.
function stackedDot(w: Vector, h: Vector, x: Vector, H: number, D: number): number {
  let s = 0;
  for (let j = 0; j < H; j++) s += w[j] * h[j];
  for (let j = 0; j < D; j++) s += w[H + j] * x[j];
  return s;
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { rnnStep, lstmStep } satisfies Offers;
