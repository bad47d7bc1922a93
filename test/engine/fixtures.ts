/** Small templates used across engine tests. */
import type { TemplateInput } from '../../src/engine/index.js';

export const svmTemplate: TemplateInput = {
  id: 'svm-test',
  title: 'SVM loss',
  topic: 'svm-loss',
  tags: ['loss'],
  difficulty: 2,
  params: {
    s: { type: 'vector', length: 3, of: { type: 'real', min: -5, max: 5, decimals: 1 } },
    y: { type: 'int', min: 0, max: 2 },
    L: { type: 'derived', expr: 'svmLoss(s, y)' },
  },
  constraints: ['L > 0', { expr: 'max(s) != min(s)', message: 'scores differ' }],
  prompt: 'Scores $s = {{ s }}$, label {{ y }}. Margin {{ 1 }}.',
  answers: [
    { id: 'loss', label: '$L_i$', type: 'number', expr: 'L', points: 2 },
    { id: 'p', label: 'probabilities', type: 'vector', expr: 'softmax(s)', tolerance: { mode: 'absolute', atol: 0.005 } },
    { id: 'win', label: 'winning class', type: 'integer', expr: 'argmax(s)' },
  ],
  solution: 'The loss is {{ fmt(loss, 3) }}; doubled {{ 2 * loss }}.',
};

export const sgdTemplate: TemplateInput = {
  id: 'two-sgd-steps',
  title: 'Two SGD steps',
  topic: 'optimizers',
  difficulty: 2,
  params: {
    x: { type: 'int', min: 1, max: 9 },
    g1: { type: 'int', min: 1, max: 9 },
    g2: { type: 'int', min: 1, max: 9 },
    lr: { type: 'choice', values: [0.1, 0.5] },
  },
  prompt: 'x = {{ x }}',
  answers: [
    { id: 'x1', label: 'after step 1', type: 'number', expr: 'sgdStep(x, g1, lr)', tolerance: { mode: 'absolute', atol: 1e-9 } },
    { id: 'x2', label: 'after step 2', type: 'number', expr: 'sgdStep(x1, g2, lr)', followThrough: ['x1'], tolerance: { mode: 'absolute', atol: 1e-9 } },
  ],
};

export const choiceTemplate: TemplateInput = {
  id: 'saturating',
  title: 'Saturation',
  topic: 'activations',
  difficulty: 1,
  params: { k: { type: 'choice', values: ['sigmoid', 'relu'] } },
  prompt: 'Which saturate?',
  answers: [
    { id: 'which', label: 'saturating', type: 'choice', choices: ['sigmoid', 'tanh', 'relu'], multiple: true, expr: "['sigmoid', 'tanh']" },
    { id: 'one', label: 'drawn', type: 'choice', choices: ['sigmoid', 'relu'], expr: 'k' },
  ],
};

export const matrixTemplate: TemplateInput = {
  id: 'matrix-part',
  title: 'Transpose',
  topic: 'linear-classifier',
  difficulty: 1,
  params: { n: { type: 'int', min: 2, max: 3 }, M: { type: 'matrix', rows: 'n', cols: 2, of: { type: 'int', min: -3, max: 3 } } },
  prompt: '$M = {{ M }}$',
  answers: [{ id: 'T', label: '$M^T$', type: 'matrix', expr: 'transpose(M)' }],
};
