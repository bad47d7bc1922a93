/**
 * The pure deep-learning function library: every public function of `src/engine/nn/` plus the
 * expression differentiator of `src/engine/autodiff.ts`.
 *
 * Only the library's API is exported. The validation helpers of `shapes.ts` (some named like
 * mathjs built-ins, e.g. `flatten`, `reshape`), the unchecked kernels of `kernels.ts` and the
 * graph internals (`parseGraph`) stay internal, because the expression sandbox installs every
 * function exported here under its own name.
 */
export { ShapeError, type Vector, type Matrix, type Tensor, type SameShape } from './shapes.js';
export * from './distance.js';
export * from './knn.js';
export * from './linear.js';
export * from './losses.js';
export * from './regularization.js';
export * from './optimizers.js';
export * from './schedules.js';
export * from './activations.js';
export * from './init.js';
export * from './batchnorm.js';
export * from './dropout.js';
export * from './conv.js';
export * from './rnn.js';
export * from './attention.js';
export * from './positional.js';
export { gradient, valueAndGradient, evaluateGraph, type ExprGraph } from '../autodiff.js';
