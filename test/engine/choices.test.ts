import { describe, expect, it } from 'vitest';
import {
  ExpressionError,
  answersFromParams,
  compileTemplate,
  grade,
  instantiate,
  parseTemplate,
  shownChoices,
  templateHash,
  type TemplateInput,
} from '../../src/engine/index.js';
import { choiceTemplate } from './fixtures.js';

const OPTIONS = ['sigmoid', 'tanh', 'ReLU', 'Leaky ReLU', 'ELU', 'GELU'];

function choiceOf(answer: Record<string, unknown>, params: TemplateInput['params'] = { k: { type: 'int', min: 0, max: 5 } }): TemplateInput {
  return {
    id: 'choice-test',
    title: 'Choice',
    topic: 'activations',
    difficulty: 1,
    params,
    prompt: 'Pick.',
    answers: [
      { id: 'c', label: 'the one', type: 'choice', choices: OPTIONS, expr: 'at(["sigmoid", "tanh", "ReLU", "Leaky ReLU", "ELU", "GELU"], k)', ...answer },
    ],
  };
}

const seeds = Array.from({ length: 120 }, (_, i) => i + 1);

describe('choice options per variant', () => {
  it('are shuffled by default, deterministically per seed, and grading goes by text', () => {
    const ct = compileTemplate(choiceOf({}));
    const orders = new Set<string>();
    const firsts = new Set<string>();
    for (const seed of seeds) {
      const v = instantiate(ct, seed);
      const shown = v.public.parts[0]?.choices ?? [];
      expect([...shown].sort()).toEqual([...OPTIONS].sort());
      expect(instantiate(ct, seed).public.parts[0]?.choices).toEqual(shown);
      expect(v.secret.parts[0]?.choices).toEqual(shown);
      orders.add(shown.join('|'));
      firsts.add(shown[0] ?? '');
      expect(grade(v, { c: v.secret.answers.c }).score).toBe(1);
      expect(grade(v, { c: shown.find((c) => c !== v.secret.answers.c) }).score).toBe(0);
    }
    // 6! = 720 orders: 120 variants show (almost) all different ones, each option first now and then.
    expect(orders.size).toBeGreaterThan(100);
    expect(firsts.size).toBe(6);
  });

  it('keep their written order with shuffle: false', () => {
    const ct = compileTemplate(choiceOf({ shuffle: false }));
    for (const seed of seeds.slice(0, 20)) expect(instantiate(ct, seed).public.parts[0]?.choices).toEqual(OPTIONS);
  });

  it('pick: k shows k options, always with the right one, the others drawn from the pool', () => {
    const ct = compileTemplate(choiceOf({ pick: 3 }));
    const sets = new Set<string>();
    for (const seed of seeds) {
      const v = instantiate(ct, seed);
      const shown = v.public.parts[0]?.choices ?? [];
      expect(shown).toHaveLength(3);
      expect(new Set(shown).size).toBe(3);
      expect(shown).toContain(v.secret.answers.c);
      for (const c of shown) expect(OPTIONS).toContain(c);
      sets.add([...shown].sort().join('|'));
      expect(grade(v, { c: v.secret.answers.c }).score).toBe(1);
    }
    expect(sets.size).toBe(20); // every 3-subset of 6 appears
  });

  it('pick with multiple: one right and one wrong option at least; the answer is the right ones shown', () => {
    const t = choiceOf({ multiple: true, pick: 3, expr: '["sigmoid", "tanh", "GELU"]' });
    const ct = compileTemplate(t);
    const answerSizes = new Set<number>();
    for (const seed of seeds) {
      const v = instantiate(ct, seed);
      const shown = v.public.parts[0]?.choices ?? [];
      const answer = v.secret.answers.c as string[];
      expect(shown).toHaveLength(3);
      expect(answer.length).toBeGreaterThan(0);
      expect(answer.length).toBeLessThan(3);
      expect([...answer].sort()).toEqual(shown.filter((c) => ['sigmoid', 'tanh', 'GELU'].includes(c)).sort());
      answerSizes.add(answer.length);
      expect(grade(v, { c: answer }).score).toBe(1);
    }
    expect([...answerSizes].sort()).toEqual([1, 2]);
  });

  it('may interpolate parameters; the answer names an option by its written or its shown text', () => {
    const t: TemplateInput = {
      id: 'numeric-choice',
      title: 'Output size',
      topic: 'cnn',
      difficulty: 1,
      params: { W: { type: 'int', min: 10, max: 40 }, F: { type: 'choice', values: [3, 5] } },
      prompt: 'Output width of a {{ F }}×{{ F }} filter on width {{ W }}, stride 1, no padding?',
      answers: [
        {
          id: 'w',
          label: 'width',
          type: 'choice',
          choices: ['{{ W - F + 1 }}', '{{ W - F }}', '{{ W + F - 1 }}', '{{ W }}'],
          expr: '"{{ W - F + 1 }}"',
        },
        {
          id: 'same',
          label: 'again',
          type: 'choice',
          choices: ['$W_2 = {{ W - F + 1 }}$', '{{ W - F + 2 }}'],
          expr: 'W > 100 ? "$W_2 = {{ W - F + 1 }}$" : fmt(W - F + 2, 6)',
        },
      ],
    };
    const ct = compileTemplate(t);
    for (const seed of seeds.slice(0, 30)) {
      const v = instantiate(ct, seed);
      const { W, F } = v.secret.params as { W: number; F: number };
      expect([...(v.public.parts[0]?.choices ?? [])].sort()).toEqual([W - F + 1, W - F, W + F - 1, W].map(String).sort());
      expect(v.secret.answers.w).toBe(String(W - F + 1));
      expect(v.secret.answers.same).toBe(String(W - F + 2));
      expect(grade(v, { w: String(W - F + 1), same: String(W - F + 2) }).score).toBe(1);
    }
    // Options are public, like labels: they may use parameters, never answers.
    const leaky = { ...t, answers: [t.answers[0], { ...t.answers[1], choices: ['{{ w }}', 'x'], expr: '"x"' }] };
    expect(() => compileTemplate(leaky)).toThrow(/answers\[1\]\.choices\[0\].*unknown name 'w'/);
    // Two options that read the same for some variant: the template needs a constraint.
    const clash = { ...t, answers: [{ ...t.answers[0], choices: ['{{ W - F + 1 }}', '{{ W - 2 }}'] }] };
    expect(() => {
      for (const seed of seeds) instantiate(compileTemplate(clash), seed);
    }).toThrow(/answers\[0\]\.choices: choices\[0\] and choices\[1\] both read "\d+" for these parameters/);
  });

  it('the public part carries the options in the variant’s order, never the answer or the drawing rules', () => {
    const ct = compileTemplate(choiceOf({ pick: 4 }));
    const v = instantiate(ct, 5);
    expect(Object.keys(v.public.parts[0] ?? {}).sort()).toEqual(['choices', 'id', 'label', 'multiple', 'points', 'type']);
    expect(JSON.stringify(v.public)).not.toMatch(/pick|shuffle/);
    expect(v.public.parts[0]?.choices).toEqual(v.secret.parts[0]?.choices);
  });

  it('a regrade keeps the options a stored variant showed, and says when a version no longer offers one', () => {
    const ct = compileTemplate(choiceOf({ pick: 3 }));
    const v = JSON.parse(JSON.stringify(instantiate(ct, 9))) as ReturnType<typeof instantiate>;
    const shown = shownChoices(v.secret.parts);
    const again = answersFromParams(ct, v.secret.params, shown);
    expect(again.parts).toEqual(v.secret.parts);
    expect(again.answers).toEqual(v.secret.answers);
    // A newer version that renamed a shown option cannot regrade this variant silently.
    const renamed = compileTemplate(choiceOf({ pick: 3, choices: OPTIONS.map((c) => (c === v.secret.parts[0]?.choices?.[0] ? `${c}!` : c)) }));
    expect(() => answersFromParams(renamed, v.secret.params, shown)).toThrow(ExpressionError);
    expect(() => answersFromParams(renamed, v.secret.params, shown)).toThrow(
      /answers\[0\]\.choices: the variant showed the choice ".+", which this version does not offer/,
    );
    // A newer version whose right option was not shown to this student.
    const missing = OPTIONS.find((c) => !(shown.c ?? []).includes(c));
    const moved = compileTemplate(choiceOf({ pick: 3, expr: JSON.stringify(missing) }));
    expect(() => answersFromParams(moved, v.secret.params, shown)).toThrow(/answers\[0\]\.expr: the right choice ".+" is not among the choices shown/);
    // Without stored options (a part that is new in this version) they are drawn, deterministically.
    const fresh = answersFromParams(ct, v.secret.params);
    expect(fresh.parts[0]?.choices).toHaveLength(3);
    expect(answersFromParams(ct, v.secret.params).parts).toEqual(fresh.parts);
  });
});

describe('choice schema', () => {
  it('checks shuffle and pick with the field named', () => {
    const bad = (answer: Record<string, unknown>) => () => parseTemplate(choiceOf(answer));
    expect(bad({ pick: 7 })).toThrow(/answers\[0\]\.pick: pick \(7\) must not exceed the number of choices \(6\)/);
    expect(bad({ pick: 1 })).toThrow(/answers\[0\]\.pick: pick must show at least 2 choices/);
    expect(bad({ shuffle: 'yes' })).toThrow(/answers\[0\]\.shuffle/);
    expect(bad({ type: 'number', choices: undefined, expr: '1', pick: 2 })).toThrow(/answers\[0\]\.pick: pick only applies to choice answers/);
    expect(bad({ type: 'number', choices: undefined, expr: '1', shuffle: false })).toThrow(/answers\[0\]\.shuffle: shuffle only applies to choice answers/);
    const pool = Array.from({ length: 30 }, (_, i) => `option ${i}`);
    expect(bad({ choices: pool, expr: '"option 3"' })).toThrow(/answers\[0\]\.choices: at most 26 choices are shown at once; with 30, add pick: k/);
    expect(() => compileTemplate(choiceOf({ choices: pool, pick: 5, expr: '"option 3"' }))).not.toThrow();
  });

  it('leaves templates written before shuffle and pick as they were (same content hash)', () => {
    // The hash the release before this one gave the fixture: its stored versions stay the same content.
    expect(templateHash(parseTemplate(choiceTemplate))).toBe('41e2fe94e9da1e78fb01d7ae1e2e3f60efc0e3eb36d6484b6d1ac0af8ba98ec1');
  });
});
