import { describe, expect, it } from 'vitest';
import * as nn from '../../../src/engine/nn/index.js';
import { REGISTRY } from '../../../src/engine/registry.js';

// The library's TypeScript API. What templates may call is the registry's business
// (test/engine/registry.test.ts); the two agree, so that a public function is never left
// unoffered by accident.
const API = [
  'adagradStep',
  'adamStep',
  'attentionWeights',
  'batchnormForward',
  'conv2d',
  'convOutputSize',
  'convParams',
  'dropoutForward',
  'elasticNetReg',
  'elu',
  'eluGrad',
  'evaluateGraph',
  'fullLoss',
  'gelu',
  'geluGrad',
  'gradient',
  'heStd',
  'heVariance',
  'knnPredict',
  'l1Distance',
  'l1Reg',
  'l2Distance',
  'l2DistanceSquared',
  'l2Reg',
  'leakyRelu',
  'leakyReluGrad',
  'linearScores',
  'logSumExp',
  'lrCosine',
  'lrInvSqrt',
  'lrLinear',
  'lrStep',
  'lstmStep',
  'matmul',
  'maxPool2d',
  'momentumStep',
  'nesterovStep',
  'poolOutputSize',
  'positionalEncoding',
  'relu',
  'reluGrad',
  'rmspropStep',
  'rnnStep',
  'selfAttention',
  'sgdStep',
  'sigmoid',
  'sigmoidGrad',
  'softmax',
  'softmaxLoss',
  'svmLoss',
  'tanh',
  'tanhGrad',
  'valueAndGradient',
  'xavierStd',
  'xavierVariance',
];

describe('nn/index', () => {
  it('exports exactly the public functions plus ShapeError', () => {
    const fns = Object.entries(nn)
      .filter(([, v]) => typeof v === 'function')
      .map(([k]) => k)
      .sort();
    expect(fns).toEqual([...API, 'ShapeError'].sort());
  });

  it('exports exactly the functions the nn modules and autodiff offer to templates', () => {
    const offered = [...REGISTRY.values()].filter((e) => e.module !== 'helpers').map((e) => e.name);
    expect(offered.sort()).toEqual(API);
    for (const name of API) expect(REGISTRY.get(name)?.fn, name).toBe(nn[name as keyof typeof nn]);
  });

  it('keeps validation helpers and graph internals private', () => {
    for (const name of ['flatten', 'reshape', 'checkFinite', 'mapTensor', 'describe', 'parseGraph', 'matVecUnchecked']) {
      expect(name in nn, name).toBe(false);
    }
  });
});
