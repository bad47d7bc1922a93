/**
 * Named mistakes: an answer that matches one (within the part's tolerance) gets its feedback,
 * its credit and its id; the correct answer always wins over a mistake equal to it; a mistake
 * that fails for a variant's parameters is left out of that variant; and the feedback cannot
 * reveal an answer.
 */
import { describe, expect, it } from 'vitest';
import { validateTemplateSource } from '../../src/authoring/validate.js';
import { compileTemplate, grade, instantiate, TemplateError, type TemplateInput, type Variant } from '../../src/engine/index.js';

const conv: TemplateInput = {
  id: 'conv-mistakes',
  title: 'Conv output size',
  topic: 'cnn',
  difficulty: 1,
  params: {
    W: { type: 'int', min: 5, max: 60 },
    F: { type: 'choice', values: [1, 3, 5] },
    S: { type: 'choice', values: [1, 2] },
    P: { type: 'int', min: 0, max: 2 },
  },
  constraints: ['mod(W - F + 2 * P, S) == 0'],
  prompt: 'W = {{ W }}, F = {{ F }}, S = {{ S }}, P = {{ P }}.',
  answers: [
    {
      id: 'W2',
      label: 'output width',
      type: 'integer',
      expr: '(W - F + 2 * P) / S + 1',
      mistakes: [
        { id: 'no_plus_one', expr: 'W2 - 1', feedback: 'The formula ends with + 1: the first position of the {{ F }}-wide filter counts too.', credit: 0.25 },
        { id: 'no_padding', expr: '(W - F) / S + 1', feedback: 'Padding of {{ P }} on each side widens the input by 2P.' },
        { id: 'no_stride', expr: 'W - F + 2 * P + 1', feedback: 'Divide by the stride.' },
      ],
    },
  ],
};
const ct = compileTemplate(conv);

function variantWhere(pred: (p: Record<string, number>) => boolean): Variant {
  for (let seed = 1; seed < 5000; seed++) {
    const v = instantiate(ct, seed);
    if (pred(v.secret.params as Record<string, number>)) return v;
  }
  throw new Error('no such variant');
}

describe('named mistakes', () => {
  it('an answer matching a mistake gets its feedback (parameters filled in), credit and id', () => {
    const v = variantWhere((p) => p.P === 2 && p.S === 2);
    const W2 = v.secret.answers.W2 as number;
    const r = grade(v, { W2: String(W2 - 1) });
    expect(r.parts[0]).toMatchObject({ status: 'partial', score: 0.25, points: 0.25, mistake: 'no_plus_one' });
    expect(r.parts[0].feedback).toBe(
      `Incorrect (25 % of the points): The formula ends with + 1: the first position of the ${String(v.secret.params.F)}-wide filter counts too.`,
    );
    const p = v.secret.params as Record<string, number>;
    const noPadding = grade(v, { W2: String((p.W - p.F) / p.S + 1) }).parts[0];
    expect(noPadding).toMatchObject({
      status: 'incorrect',
      score: 0,
      mistake: 'no_padding',
      feedback: 'Incorrect: Padding of 2 on each side widens the input by 2P.',
    });
  });

  it('the correct answer is never a mistake; a wrong answer that matches none is plain "Incorrect."', () => {
    const v = variantWhere(() => true);
    const W2 = v.secret.answers.W2 as number;
    expect(grade(v, { W2: String(W2) }).parts[0]).toMatchObject({ status: 'correct', score: 1, feedback: 'Correct.' });
    expect(grade(v, { W2: String(W2) }).parts[0].mistake).toBeUndefined();
    const other = grade(v, { W2: '987654' }).parts[0];
    expect(other).toMatchObject({ status: 'incorrect', feedback: 'Incorrect.' });
    expect(other.mistake).toBeUndefined();
  });

  it('a mistake equal to the correct answer for these parameters is left out of the variant, and cannot win over the answer', () => {
    // P = 0: "forgot the padding" is the correct answer.
    const v = variantWhere((p) => p.P === 0);
    expect(v.secret.parts[0].mistakes?.map((m) => m.id)).toEqual(['no_plus_one', 'no_stride'].filter((id) => id !== 'no_stride' || v.secret.params.S !== 1));
    // Even a stored part that kept such a mistake grades the correct answer correct.
    const W2 = v.secret.answers.W2 as number;
    const stale: Variant = structuredClone(v);
    stale.secret.parts[0].mistakes = [{ id: 'no_padding', value: W2, feedback: 'x', credit: 0 }];
    expect(grade(stale, { W2: String(W2) }).parts[0]).toMatchObject({ status: 'correct', score: 1 });
  });

  it('matches within the part’s tolerance (ln asked, log10 given to 3 significant figures)', () => {
    const t = compileTemplate({
      id: 'ln-mistake',
      title: 'Loss',
      topic: 'softmax',
      difficulty: 1,
      params: { p: { type: 'real', min: 0.05, max: 0.6, decimals: 2 } },
      prompt: 'P = {{ p }}',
      answers: [
        {
          id: 'L',
          label: 'loss',
          type: 'number',
          expr: '-log(p)',
          tolerance: { mode: 'relative', rtol: 0.01, atol: 1e-6 },
          mistakes: [{ id: 'log10', expr: '-log10(p)', feedback: 'The loss uses the natural logarithm.' }],
        },
      ],
    });
    const v = instantiate(t, 3);
    const wrong = Number((v.secret.parts[0].mistakes?.[0].value as number).toPrecision(3));
    expect(grade(v, { L: String(wrong) }).parts[0]).toMatchObject({ status: 'incorrect', mistake: 'log10' });
    expect(grade(v, { L: String(wrong * 1.05) }).parts[0].mistake).toBeUndefined();
  });

  it('a mistake whose value fails for some parameters is left out of those variants only', () => {
    const t = compileTemplate({
      ...conv,
      id: 'failing-mistake',
      answers: [{ ...conv.answers[0], mistakes: [{ id: 'sqrt_neg', expr: 'sqrt(P - 1)', feedback: 'no' }] }],
    });
    const ids = Array.from({ length: 30 }, (_, k) => k + 1).map((seed) => {
      const v = instantiate(t, seed);
      return [v.secret.params.P, v.secret.parts[0].mistakes?.map((m) => m.id) ?? []];
    });
    // sqrt of a negative is complex (not an integer answer) for P = 0; P = 1 gives 0 and P = 2 gives 1.
    expect(new Set(ids.map(([P]) => P))).toEqual(new Set([0, 1, 2]));
    for (const [P, kept] of ids) expect(kept).toEqual(P === 0 ? [] : ['sqrt_neg']);
  });

  it('a vector mistake must match every entry', () => {
    const t = compileTemplate({
      id: 'vec-mistake',
      title: 'Scores',
      topic: 'linear',
      difficulty: 1,
      params: { a: { type: 'int', min: 2, max: 9 } },
      prompt: '{{ a }}',
      answers: [{ id: 's', label: 'scores', type: 'vector', expr: '[a, 2 * a]', mistakes: [{ id: 'swapped', expr: '[2 * a, a]', feedback: 'Order.' }] }],
    });
    const v = instantiate(t, 1);
    const a = v.secret.params.a as number;
    expect(grade(v, { s: [String(2 * a), String(a)] }).parts[0].mistake).toBe('swapped');
    expect(grade(v, { s: [String(2 * a), String(2 * a)] }).parts[0].mistake).toBeUndefined();
  });

  it('feedback may not interpolate an answer, and mistake ids are distinct', () => {
    const leaks = { ...conv, answers: [{ ...conv.answers[0], mistakes: [{ id: 'm', expr: 'W2 - 1', feedback: 'It is {{ W2 }}.' }] }] };
    expect(() => compileTemplate(leaks)).toThrow(TemplateError);
    expect(() => compileTemplate(leaks)).toThrow(/unknown name 'W2'/);
    const twice = { ...conv, answers: [{ ...conv.answers[0], mistakes: [conv.answers[0].mistakes![0], conv.answers[0].mistakes![0]] }] };
    expect(() => compileTemplate(twice)).toThrow(/mistake id 'no_plus_one' is used twice/);
  });

  it('validate warns about a mistake that never applies', () => {
    const never = { ...conv, answers: [{ ...conv.answers[0], mistakes: [{ id: 'same', expr: 'W2', feedback: 'never' }] }] };
    const r = validateTemplateSource(never);
    expect(r.ok).toBe(true);
    expect(r.warnings).toContainEqual(expect.objectContaining({ code: 'MISTAKE_NEVER_APPLIES', path: ['answers', 0, 'mistakes', 0, 'expr'] }));
    expect(validateTemplateSource(conv).warnings.filter((w) => w.code === 'MISTAKE_NEVER_APPLIES')).toEqual([]);
  });
});
