import { describe, expect, it } from 'vitest';
import { checkCatalogue } from '../../src/engine/index.js';
import { selfTest } from '../../src/authoring/self-test.js';

const { templates, problems } = checkCatalogue('problems');

/** Topics of the course notes; each must have at least one template. */
const TOPICS = [
  'knn',
  'linear-classifier',
  'svm-loss',
  'softmax',
  'regularization',
  'optimizers',
  'lr-schedules',
  'activations',
  'initialization',
  'batchnorm',
  'dropout',
  'backprop',
  'cnn',
  'rnn',
  'attention',
  'positional-encoding',
];

describe('the built-in catalogue', () => {
  it('has only valid files', () => {
    expect(problems.map((p) => `${p.file}: ${p.error.message}`)).toEqual([]);
  });

  it('has at least 75 templates covering every topic of the notes', () => {
    expect(templates.length).toBeGreaterThanOrEqual(75);
    const topics = new Set(templates.map((t) => t.template.topic));
    for (const topic of TOPICS) expect(topics, topic).toContain(topic);
  });

  it.each(templates.map((t) => [t.template.id, t] as const))('%s self-tests on 50 variants', (_id, ct) => {
    const report = selfTest(ct, 50, 1000);
    expect(report.failures).toEqual([]);
  });
});
