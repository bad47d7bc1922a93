import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileTemplate, grade, instantiate, type Variant } from '../../src/engine/index.js';
import { correctSubmission, perturbedSubmission } from '../../src/authoring/submissions.js';
import { choiceTemplate, matrixTemplate, sgdTemplate, svmTemplate } from './fixtures.js';

const svm = compileTemplate(svmTemplate);

describe('grade', () => {
  it('gives full marks to the correct answers, for any seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seed) => {
        const v = instantiate(svm, seed);
        return grade(v, correctSubmission(v)).score === 1;
      }),
      { numRuns: 300 },
    );
  });

  it('weights parts by points and reports each', () => {
    const v = instantiate(svm, 5);
    const answers = correctSubmission(v);
    const r = grade(v, { ...answers, loss: String((v.secret.answers.loss as number) + 5) });
    expect(r.maxPoints).toBe(4);
    expect(r.points).toBe(2);
    expect(r.score).toBe(0.5);
    expect(r.parts.map((p) => p.status)).toEqual(['incorrect', 'correct', 'correct']);
  });

  it('treats unreadable answers as format errors that earn nothing', () => {
    const v = instantiate(svm, 5);
    const r = grade(v, { ...correctSubmission(v), loss: 'console.log(1)', win: '1.5' });
    expect(r.formatError).toBe(true);
    expect(r.parts[0]).toMatchObject({ status: 'format-error', points: 0 });
    expect(r.parts[0]?.feedback).toMatch(/not a number/);
    expect(r.parts[2]).toMatchObject({ status: 'format-error' });
  });

  it('marks missing parts and ignores unknown keys', () => {
    const v = instantiate(svm, 5);
    const r = grade(v, { nope: '1' });
    expect(r.parts.every((p) => p.status === 'missing')).toBe(true);
    expect(r.score).toBe(0);
    expect(r.formatError).toBe(false);
  });

  it('gives partial credit per vector element', () => {
    const v = instantiate(svm, 5);
    const p = [...(v.secret.answers.p as number[])];
    p[0] = p[0] + 0.5;
    const r = grade(v, { p: p.map(String) });
    expect(r.parts[1]).toMatchObject({ status: 'partial', elements: [false, true, true] });
    expect(r.parts[1]?.score).toBeCloseTo(2 / 3, 12);
    const strict = compileTemplate({ ...svmTemplate, solution: '', answers: [{ ...svmTemplate.answers[1], partial: false }] });
    const vs = instantiate(strict, 5);
    expect(grade(vs, { p: p.map(String) }).score).toBe(0);
  });

  it('grades matrices with their shape', () => {
    const m = compileTemplate(matrixTemplate);
    const v = instantiate(m, 2);
    expect(grade(v, correctSubmission(v)).score).toBe(1);
    const text = (v.secret.answers.T as number[][]).map((r) => r.join(' ')).join('; ');
    expect(grade(v, { T: text }).score).toBe(1);
    expect(grade(v, { T: '1 2' }).parts[0]?.status).toBe('format-error');
  });

  it('grades choices exactly, as sets when multiple', () => {
    const c = compileTemplate(choiceTemplate);
    const v = instantiate(c, 1);
    expect(grade(v, { which: ['tanh', 'sigmoid'], one: v.secret.answers.one }).score).toBe(1);
    expect(grade(v, { which: ['tanh'], one: v.secret.answers.one }).parts[0]?.status).toBe('incorrect');
    expect(grade(v, { which: ['tanh', 'softplus'] }).parts[0]?.status).toBe('format-error');
  });

  it('accepts fractions', () => {
    const t = compileTemplate({
      ...svmTemplate,
      params: { a: { type: 'int', min: 3, max: 3 } },
      constraints: [],
      prompt: 'x',
      solution: '',
      answers: [{ id: 'q', label: 'q', type: 'number', expr: 'a / 4' }],
    });
    expect(grade(instantiate(t, 1), { q: '3/4' }).score).toBe(1);
  });

  it('hints at insufficient precision', () => {
    const t = compileTemplate({
      ...svmTemplate,
      params: { a: { type: 'int', min: 1, max: 1 } },
      constraints: [],
      prompt: 'x',
      solution: '',
      answers: [{ id: 'q', label: 'q', type: 'number', expr: 'softmaxLoss([3.2, 5.1, -1.7], 0)', tolerance: { mode: 'sigfigs', digits: 3 } }],
    });
    const v = instantiate(t, 1);
    expect(grade(v, { q: '2.04' }).score).toBe(1);
    const r = grade(v, { q: '2' });
    expect(r.parts[0]).toMatchObject({ status: 'incorrect', hint: 'insufficient-precision' });
    expect(r.parts[0]?.feedback).toMatch(/insufficient precision/);
    expect(grade(v, { q: '3' }).parts[0]?.hint).toBeUndefined();
  });

  it('gives follow-through credit from the student’s own earlier answer', () => {
    const ct = compileTemplate(sgdTemplate);
    const v = instantiate(ct, 3);
    const { x1, x2 } = v.secret.answers as { x1: number; x2: number };
    const lr = v.secret.params.lr as number;
    const g2 = v.secret.params.g2 as number;
    const wrongX1 = x1 + 1;
    const r = grade(v, { x1: String(wrongX1), x2: String(wrongX1 - lr * g2) });
    expect(r.parts[0]?.status).toBe('incorrect');
    expect(r.parts[1]).toMatchObject({ status: 'correct', followThrough: true });
    expect(r.parts[1]?.feedback).toMatch(/given your earlier answer/);
    // Without the earlier mistake the later part is judged against the true value only.
    expect(grade(v, { x1: String(x1), x2: String(wrongX1 - lr * g2) }).parts[1]?.status).toBe('incorrect');
    expect(grade(v, { x1: String(x1), x2: String(x2) }).score).toBe(1);
  });

  it('grades a stored (JSON round-tripped) variant the same way', () => {
    const v = instantiate(svm, 11);
    const stored = JSON.parse(JSON.stringify(v)) as Variant;
    expect(grade(stored, correctSubmission(stored))).toEqual(grade(v, correctSubmission(v)));
    expect(grade(stored, perturbedSubmission(stored)).score).toBeLessThan(1);
  });
});

describe('follow-through along a chain', () => {
  it('carries the student’s own values through every listed part', () => {
    const chain = compileTemplate({
      id: 'chain',
      title: 'chain',
      topic: 'optimizers',
      difficulty: 1,
      params: { x: { type: 'int', min: 1, max: 9 } },
      prompt: 'x = {{ x }}',
      answers: [
        { id: 'a', label: 'a', type: 'number', expr: 'x + 1' },
        { id: 'b', label: 'b', type: 'number', expr: '2 * a', followThrough: ['a'] },
        { id: 'c', label: 'c', type: 'number', expr: 'b + a', followThrough: ['a', 'b'] },
      ],
    });
    const v = instantiate(chain, 4);
    const x = v.secret.params.x as number;
    const a = x + 2; // wrong
    const r = grade(v, { a: String(a), b: String(2 * a), c: String(3 * a) });
    expect(r.parts.map((p) => [p.status, p.followThrough ?? false])).toEqual([
      ['incorrect', false],
      ['correct', true],
      ['correct', true],
    ]);
  });
});

describe('sandbox side effects', () => {
  it('sort does not reorder a stored parameter or the template’s choices', () => {
    const t = compileTemplate({
      id: 'sorting',
      title: 'sorting',
      topic: 'knn',
      difficulty: 1,
      params: { d: { type: 'choice', values: [[3, 1, 2]] }, s: { type: 'derived', expr: 'sort(d)' } },
      prompt: '{{ d }}',
      answers: [{ id: 'first', label: 'first', type: 'number', expr: 'd[1]' }],
    });
    const v1 = instantiate(t, 1);
    expect(v1.secret.params.d).toEqual([3, 1, 2]);
    expect(v1.secret.params.s).toEqual([1, 2, 3]);
    expect(v1.secret.answers.first).toBe(3);
    expect(instantiate(t, 2).secret.params.d).toEqual([3, 1, 2]);
  });
});
