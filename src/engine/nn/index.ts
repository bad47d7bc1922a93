/**
 * The pure deep-learning function library: the public functions of `src/engine/nn/` plus the
 * expression differentiator of `src/engine/autodiff.ts`, for the engine's TypeScript callers.
 *
 * What a template may call is not decided here but by the registry (`../registry.ts`), from
 * the `offers` each module declares. The validation helpers of `shapes.ts`, the unchecked
 * kernels of `kernels.ts` and the graph internals (`parseGraph`) are not exported here either.
 * The modules are re-exported by name because each of them exports an `offers` of its own.
 */
export { ShapeError, type Vector, type Matrix, type Tensor, type SameShape } from './shapes.js';
export { l1Distance, l2Distance, l2DistanceSquared } from './distance.js';
export { knnPredict, type Label, type KnnMetric } from './knn.js';
export { linearScores, matmul } from './linear.js';
export { svmLoss, softmax, logSumExp, softmaxLoss } from './losses.js';
export { l1Reg, l2Reg, elasticNetReg, fullLoss } from './regularization.js';
export { sgdStep, momentumStep, nesterovStep, adagradStep, rmspropStep, adamStep, type VelocityState, type CacheState, type AdamState } from './optimizers.js';
export { lrStep, lrCosine, lrLinear, lrInvSqrt } from './schedules.js';
export { sigmoid, sigmoidGrad, tanh, tanhGrad, relu, reluGrad, leakyRelu, leakyReluGrad, gelu, geluGrad, elu, eluGrad } from './activations.js';
export { xavierVariance, xavierStd, heVariance, heStd } from './init.js';
export { batchnormForward, type BatchnormResult } from './batchnorm.js';
export { dropoutForward } from './dropout.js';
export { convOutputSize, poolOutputSize, convParams, conv2d, maxPool2d } from './conv.js';
export { rnnStep, lstmStep, type LstmResult } from './rnn.js';
export { attentionWeights, selfAttention, type SelfAttentionResult } from './attention.js';
export { positionalEncoding } from './positional.js';
export { gradient, valueAndGradient, evaluateGraph, type ExprGraph, type ValueAndGradient } from '../autodiff.js';
