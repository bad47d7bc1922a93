/**
 * validateTemplateSource, in-process (the sandbox runs the same function): every issue with
 * its path, its code and the line and column an editor would underline.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEnginePath, validateTemplateSource, type Issue } from '../../src/authoring/validate.js';
import { templateFiles } from '../../src/engine/index.js';
import { tiny, withAnswer } from './helpers.js';

const HEAD = 'id: t\ntitle: T\ntopic: test\ndifficulty: 1\n';

/** Line and column (1-based) of the first occurrence of `needle` in `text`, plus `shift` characters. */
function at(text: string, needle: string, shift = 0): { line: number; column: number } {
  const i = text.indexOf(needle) + shift;
  expect(i).toBeGreaterThanOrEqual(shift);
  return { line: text.slice(0, i).split('\n').length, column: i - text.lastIndexOf('\n', i - 1) };
}

function only(issues: Issue[]): Issue {
  expect(issues).toHaveLength(1);
  return issues[0];
}

describe('validateTemplateSource', () => {
  it('accepts every catalogue file', () => {
    for (const file of templateFiles('problems')) {
      const r = validateTemplateSource(readFileSync(file, 'utf8'));
      expect(r.errors, file).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('YAML syntax errors with their line and column', () => {
    const text = `${HEAD}params:\n  a: { type: int, min: 1, max: 3\nprompt: x\n`;
    const r = validateTemplateSource(text);
    expect(r.ok).toBe(false);
    // The parser notices the unclosed map where the next key starts.
    expect(only(r.errors)).toMatchObject({ code: 'YAML_SYNTAX', path: [], line: 7, column: 1, message: expect.stringMatching(/end with a \}/) });
    const dup = validateTemplateSource(`${HEAD}title: again\n`);
    expect(only(dup.errors)).toMatchObject({ code: 'YAML_SYNTAX', line: 5, column: 1, message: expect.stringMatching(/unique/) });
  });

  it('schema errors at the value, unknown fields at their key (with a suggestion), missing fields at the parent', () => {
    const text = `${HEAD}params:\n  a: { type: int, min: 1, max: "3" }\nprompt: p {{ a }}\nanswers:\n  - id: x\n    label: x\n    type: number\n    expr: a\n    tolerence: { mode: relative }\n`;
    const r = validateTemplateSource(text);
    expect(r.errors).toEqual([
      { path: ['params', 'a', 'max'], code: 'SCHEMA', message: expect.stringMatching(/expected number/), ...at(text, '"3"') },
      { path: ['answers', 0, 'tolerence'], code: 'SCHEMA', message: "unknown field 'tolerence' (did you mean 'tolerance'?)", ...at(text, 'tolerence') },
    ]);
    const missing = `${HEAD}params:\n  a: { type: int, min: 1 }\nprompt: p\nanswers: [{ id: x, label: x, type: number, expr: a }]\n`;
    expect(only(validateTemplateSource(missing).errors)).toMatchObject({ path: ['params', 'a', 'max'], ...at(missing, 'a: {') });
  });

  it('expression errors point inside the expression, in every scalar style', () => {
    const text = [
      HEAD,
      'params:\n',
      '  a: { type: int, min: 1, max: 9 }\n',
      '  b: { type: derived, expr: a + * 2 }\n',
      '  c: { type: derived, expr: "sqrtt(a)" }\n',
      "  d: { type: derived, expr: 'a + bb' }\n",
      'prompt: |\n',
      '  First line {{ a }}.\n',
      '\n',
      '  Then {{ aa + 1 }}.\n',
      'answers:\n',
      '  - { id: x, label: "x {{ a }}", type: number, expr: "a +" }\n',
    ].join('');
    const r = validateTemplateSource(text);
    expect(r.errors).toEqual([
      { path: ['params', 'b', 'expr'], code: 'EXPRESSION_SYNTAX', message: expect.stringMatching(/cannot parse "a \+ \* 2"/), ...at(text, 'a + * 2', 4) },
      { path: ['params', 'c', 'expr'], code: 'UNKNOWN_FUNCTION', message: "function 'sqrtt' is not allowed (did you mean 'sqrt'?)", ...at(text, 'sqrtt') },
      {
        path: ['params', 'd', 'expr'],
        code: 'UNKNOWN_SYMBOL',
        message: expect.stringMatching(/^unknown name 'bb'.*\(did you mean 'b'\?\)$/),
        ...at(text, 'bb'),
      },
      { path: ['prompt'], code: 'UNKNOWN_SYMBOL', message: expect.stringMatching(/unknown name 'aa'.*did you mean 'a'/), ...at(text, 'aa + 1') },
      { path: ['answers', 0, 'expr'], code: 'EXPRESSION_SYNTAX', message: expect.stringMatching(/cannot parse "a \+"/), ...at(text, '"a +"', 4) },
    ]);
  });

  it('reports schema and expression problems together', () => {
    const r = validateTemplateSource(withAnswer('nope(a)', { difficulty: 0 }));
    expect(r.errors.map((e) => [e.code, e.path])).toEqual([
      ['SCHEMA', ['difficulty']],
      ['UNKNOWN_FUNCTION', ['answers', 0, 'expr']],
    ]);
    // An object has no lines.
    expect(r.errors[0].line).toBeUndefined();
  });

  it('names only in scope: answers see earlier answers, labels only parameters, sizes only earlier ints', () => {
    const r = validateTemplateSource(
      tiny({
        params: {
          a: { type: 'int', min: 1, max: 3 },
          v: { type: 'vector', length: 'r', of: { type: 'int', min: 0, max: 1 } },
          r: { type: 'real', min: 1, max: 2 },
        },
        prompt: '{{ a }}',
        answers: [
          { id: 'x', label: 'x', type: 'number', expr: 'y + 1' },
          { id: 'y', label: 'y {{ x }}', type: 'number', expr: 'x + 1' },
        ],
      }),
    );
    expect(r.errors.map((e) => [e.code, e.path])).toEqual([
      ['UNKNOWN_SYMBOL', ['params', 'v', 'length']],
      ['UNKNOWN_SYMBOL', ['answers', 0, 'expr']],
      ['UNKNOWN_SYMBOL', ['answers', 1, 'label']],
    ]);
  });

  it('choice options: pick and shuffle checked with their paths, placeholders in options see parameters only, clashing options caught', () => {
    const text = `${HEAD}params:\n  a: { type: int, min: 1, max: 3 }\nprompt: p\nanswers:\n  - id: x\n    label: x\n    type: choice\n    choices: ["{{ a }}", "{{ b }}", "c"]\n    expr: '"c"'\n    pick: 4\n    shufle: false\n`;
    const r = validateTemplateSource(text);
    expect(r.errors.map((e) => [e.code, e.path, e.message])).toEqual([
      ['SCHEMA', ['answers', 0, 'shufle'], "unknown field 'shufle' (did you mean 'shuffle'?)"],
      ['SCHEMA', ['answers', 0, 'pick'], 'pick (4) must not exceed the number of choices (3)'],
      ['UNKNOWN_SYMBOL', ['answers', 0, 'choices', 1], "unknown name 'b' (not a parameter, earlier answer or allowed function) (did you mean 'a'?)"],
    ]);
    expect(r.errors[2]).toMatchObject(at(text, '{{ b }}', 3));
    const clash = validateTemplateSource(
      tiny({
        params: { a: { type: 'int', min: 1, max: 1 } },
        answers: [{ id: 'x', label: 'x', type: 'choice', choices: ['{{ a }}', '{{ 2 * a - 1 }}', 'none'], expr: '"none"' }],
      }),
    );
    expect(only(clash.errors)).toMatchObject({
      code: 'EVALUATION_FAILED',
      path: ['answers', 0, 'choices'],
      message: expect.stringMatching(/^seed \d+: choices\[0\] and choices\[1\] both read "1" for these parameters; add a constraint that keeps them apart$/),
    });
  });

  it('estimates how often the constraints pass', () => {
    const never = validateTemplateSource(tiny({ constraints: ['a > 100'] }));
    expect(only(never.errors)).toMatchObject({ code: 'CONSTRAINTS_UNSATISFIABLE', path: ['constraints', 0] });
    const rareTemplate = tiny({ params: { a: { type: 'int', min: 1, max: 100 } }, constraints: [{ expr: 'a <= 5', message: 'small' }] });
    const rare = validateTemplateSource(rareTemplate);
    expect(rare.ok).toBe(true);
    const w = only(rare.warnings);
    expect(w).toMatchObject({ code: 'CONSTRAINTS_RARE', path: ['constraints', 0, 'expr'] });
    expect(w.message).toMatch(
      /^only \d+(\.\d)? % of 200 sampled draws satisfy the constraints \(constraints\[0\] \("small"\) rejected \d+ of them\); about \d\.\de-\d of variants would exhaust maxTries 200$/,
    );
    // With 20 tries a third of the seeds fail outright: an error from instantiating them.
    const tooFew = validateTemplateSource({ ...rareTemplate, maxTries: 20 });
    expect(tooFew.errors[0]).toMatchObject({
      code: 'CONSTRAINTS_UNSATISFIABLE',
      path: ['constraints', 0],
      message: expect.stringMatching(/^seed \d+: no draw satisfied the constraints in 20 tries/),
    });
    expect(tooFew.warnings[0]?.message).toMatch(/about 0\.\d+ of variants would exhaust maxTries 20$/);
    expect(validateTemplateSource(tiny({ constraints: ['a >= 2'] })).warnings).toEqual([]);
  });

  it('answers that are not finite, and evaluation failures, over a few seeds', () => {
    expect(only(validateTemplateSource(withAnswer('1 / (a - a)')).errors)).toMatchObject({ code: 'ANSWER_NOT_FINITE', path: ['answers', 0, 'expr'] });
    // Only some seeds fail: a = 3 divides by zero.
    const some = validateTemplateSource(
      tiny({ params: { a: { type: 'int', min: 1, max: 4 } }, answers: [{ id: 'x', label: 'x', type: 'number', expr: 'log(a - 3)' }] }),
    );
    expect(only(some.errors)).toMatchObject({ code: 'ANSWER_NOT_FINITE', message: expect.stringMatching(/^seed \d+: expected a finite number/) });
    expect(only(validateTemplateSource(withAnswer('at([1, 2], a + 5)')).errors)).toMatchObject({ code: 'EVALUATION_FAILED', path: ['answers', 0, 'expr'] });
    const text = validateTemplateSource(tiny({ prompt: 'p {{ 1 / (a - a) }}' }));
    expect(text.ok).toBe(true);
    expect(only(text.warnings)).toMatchObject({ code: 'NOT_FINITE_TEXT', path: ['prompt'] });
  });

  it('a slow template: a SLOW warning, and only as many seeds as the time budget allows', () => {
    // ~33 ms an inversion on an idle machine once warm: 40 of them are ~1.3 s a variant, well over the 500 ms that warrants SLOW.
    const params: Record<string, unknown> = { a: { type: 'int', min: 1, max: 9 } };
    for (let i = 0; i < 40; i++) params[`p${i}`] = { type: 'derived', expr: 'sum(inv(ones(100, 100) + identity(100)))' };
    const started = performance.now();
    const r = validateTemplateSource(tiny({ params, constraints: ['p0 > 0'] }));
    expect(r.ok).toBe(true);
    expect(only(r.warnings)).toMatchObject({ code: 'SLOW', path: [], message: expect.stringMatching(/^a variant takes up to \d+ ms to instantiate/) });
    // Sampling (~0.3 s budget, here one draw is already over it) and the seeds (2 s budget) are bounded: not 8 seeds + 200 draws.
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('refuses oversized and overdeep sources', () => {
    expect(only(validateTemplateSource('x'.repeat(300_000)).errors).code).toBe('TOO_LARGE');
    expect(only(validateTemplateSource(`a: ${'['.repeat(200)}`).errors)).toMatchObject({ code: 'TOO_DEEP', line: 1, column: 104 });
    let deep: unknown = 1;
    for (let i = 0; i < 50; i++) deep = { k: deep };
    expect(only(validateTemplateSource({ deep }).errors)).toMatchObject({ code: 'TOO_DEEP', path: ['deep', 'k', 'k', 'k', 'k', 'k', 'k', 'k'] });
  });

  it('reads engine paths', () => {
    expect(parseEnginePath('answers[1].expr')).toEqual(['answers', 1, 'expr']);
    expect(parseEnginePath('params.W.expr')).toEqual(['params', 'W', 'expr']);
    expect(parseEnginePath('prompt (line 3, {{ x }})')).toEqual(['prompt']);
    expect(parseEnginePath('')).toEqual([]);
  });
});
