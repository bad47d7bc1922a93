/**
 * Hostile templates, as an instructor could send them over the API. Each must end in the
 * error that names its cause, and the pool must go on serving a good template afterwards.
 * Expression-language attacks are refused by the engine itself (same errors as in-process);
 * what only the sandbox can stop — runaway time and memory, stack exhaustion, payloads too deep
 * or too large to clone — ends in a SandboxError.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTemplate, ConstraintError, ExpressionError, instantiate, TemplateError } from '../../src/engine/index.js';
import { SandboxError, TemplateSandbox } from '../../src/sandbox/index.js';
import { expectServes, rejection, tiny, withAnswer } from './helpers.js';

let sandbox: TemplateSandbox;

beforeAll(async () => {
  sandbox = new TemplateSandbox({ maxThreads: 2 });
  await sandbox.ping();
});

afterAll(async () => {
  await sandbox.close();
});

/** A template in which each of `n` derived parameters inverts and powers a 100×100 matrix (~150 ms each). */
function slow(n: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  const params: Record<string, unknown> = { a: { type: 'int', min: 1, max: 9 } };
  for (let i = 0; i < n; i++) params[`p${i}`] = { type: 'derived', expr: 'sum(inv(ones(100, 100) + identity(100)) ^ 8)' };
  return tiny({ params, ...over });
}

async function expectCode(p: Promise<unknown>, code: string, cls?: new (...args: never[]) => Error): Promise<Error & { code?: string }> {
  const err = await rejection(p);
  expect(err.code, err.message).toBe(code);
  if (cls) expect(err).toBeInstanceOf(cls);
  await expectServes(sandbox);
  return err;
}

describe('prototype pollution', () => {
  it.each([
    ['a.constructor', 'EXPRESSION_INVALID', /No access to property "constructor"/],
    ['a["__proto__"]', 'EXPRESSION_INVALID', /No access to property "__proto__"/],
    ['{}.constructor', 'EXPRESSION_INVALID', /No access to property "constructor"/],
    ['at.constructor', 'EXPRESSION_INVALID', /No access to property "constructor"/],
    ['[a].constructor', 'EXPRESSION_INVALID', /No access to property "constructor"/],
    ['toString(a)', 'TEMPLATE_INVALID', /function 'toString' is not allowed/],
    ['valueOf(a)', 'TEMPLATE_INVALID', /function 'valueOf' is not allowed/],
    ['hasOwnProperty(a)', 'TEMPLATE_INVALID', /function 'hasOwnProperty' is not allowed/],
    ['cos.constructor("return process")()', 'TEMPLATE_INVALID', /cannot parse/],
    ['{__proto__: {polluted: 1}}.polluted', 'EXPRESSION_INVALID', /expected a finite number/],
  ])('%s', async (expr, code, message) => {
    const err = await expectCode(sandbox.instantiate(withAnswer(expr), 1), code);
    expect(err.message).toMatch(message);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('__proto__ as a parameter name (JSON keeps it as a key) is refused by name, not dropped', async () => {
    const t = JSON.parse(
      JSON.stringify(tiny({ prompt: 'p {{ __proto__ }}' })).replace('"params":{', '"params":{"__proto__":{"type":"int","min":1,"max":5},'),
    ) as object;
    const err = await expectCode(sandbox.instantiate(t, 1), 'TEMPLATE_INVALID', TemplateError);
    expect((err as TemplateError).issues).toEqual([{ path: 'params.__proto__', message: expect.stringMatching(/^'__proto__' cannot be a name/) }]);
    const report = await sandbox.validate(t);
    expect(report.errors.map((e) => [e.code, e.path])).toContainEqual(['RESERVED_NAME', ['params', '__proto__']]);
  });

  it('__proto__ as an answer id is refused (in-process it would set the answers object’s prototype)', async () => {
    const t = tiny({ answers: [{ id: '__proto__', label: 'x', type: 'vector', expr: '[a, 2]' }] });
    const err = await expectCode(sandbox.instantiate(t, 1), 'TEMPLATE_INVALID', TemplateError);
    expect((err as TemplateError).issues).toEqual([{ path: 'answers[0].id', message: expect.stringMatching(/^'__proto__' cannot be a name/) }]);
    // The same refusal in-process: the schema is shared.
    expect(() => compileTemplate(t)).toThrow(/answers\[0\]\.id: '__proto__' cannot be a name/);
    const yaml =
      'id: p\ntitle: P\ntopic: t\ndifficulty: 1\nparams:\n  a: { type: int, min: 1, max: 3 }\nprompt: p\nanswers:\n  - { id: __proto__, label: x, type: number, expr: a }\n';
    const report = await sandbox.validate(yaml);
    expect(report.errors).toContainEqual(expect.objectContaining({ code: 'RESERVED_NAME', path: ['answers', 0, 'id'], line: 9 }));
  });

  it('constructor and toString as names work as in-process, and validate warns about them', async () => {
    const t = tiny({
      params: { constructor: { type: 'int', min: 1, max: 5 }, toString: { type: 'int', min: 1, max: 5 } },
      prompt: '{{ constructor }} {{ toString }}',
      answers: [{ id: 'valueOf', label: 'x', type: 'number', expr: 'constructor * toString' }],
    });
    const v = await sandbox.instantiate(t, 3);
    expect(Object.keys(v.secret.params)).toEqual(['constructor', 'toString']);
    const params = new Map(Object.entries(v.secret.params));
    expect(new Map(Object.entries(v.secret.answers)).get('valueOf')).toBe((params.get('constructor') as number) * (params.get('toString') as number));
    const report = await sandbox.validate(t);
    expect(report.ok).toBe(true);
    expect(report.warnings.filter((w) => w.code === 'RESERVED_NAME')).toHaveLength(3);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(v.secret.answers)).toBe(Object.prototype);
  });
});

describe('huge allocations', () => {
  it.each(['zeros(1e5, 1e5)', 'ones(1e5, 1e5)', 'ones(1e5)', 'identity(1e5)', 'zeros([1e5, 1e5])'])('%s is refused by the engine', async (expr) => {
    const err = await expectCode(sandbox.instantiate(withAnswer(`sum(${expr})`), 1), 'EXPRESSION_INVALID', ExpressionError);
    expect(err.message).toMatch(/at most 10000 elements/);
  });

  it('diag of a long vector (10⁸ numbers from 10⁴) is refused by the engine, in the sandbox and in-process alike', async () => {
    const t = withAnswer('diag(ones(10000))[1, 1]');
    const err = await expectCode(sandbox.instantiate(t, 1), 'EXPRESSION_INVALID', ExpressionError);
    expect(err.message).toMatch(/diag: at most 10000 elements/);
    expect(() => instantiate(compileTemplate(t), 1)).toThrow(/diag: at most 10000 elements/);
    // An offset counts: a 99-vector one off the diagonal is 100×100.
    const ok = await sandbox.instantiate(withAnswer('sum(diag(ones(99), 1))'), 1);
    expect(ok.secret.answers.x).toBe(99);
    await expectCode(sandbox.instantiate(withAnswer('sum(diag(ones(100), 1))'), 1), 'EXPRESSION_INVALID', ExpressionError);
  });

  it('an outer product of two 10⁴ vectors: TEMPLATE_MEMORY', async () => {
    await expectCode(
      sandbox.instantiate(withAnswer('sum(col(ones(10000)) * transpose(col(ones(10000))))'), 1, { timeoutMs: 30_000 }),
      'TEMPLATE_MEMORY',
      SandboxError,
    );
  });
});

describe('deep nesting', () => {
  it('expression depth beyond 40', async () => {
    const err = await expectCode(sandbox.instantiate(withAnswer('('.repeat(45) + 'a' + ')'.repeat(45)), 1), 'TEMPLATE_INVALID', TemplateError);
    expect(err.message).toMatch(/nesting deeper than 40 levels/);
  });

  it('499 nested parentheses (parsed, then refused for depth)', async () => {
    const err = await expectCode(sandbox.instantiate(withAnswer('('.repeat(499) + 'a' + ')'.repeat(499)), 1), 'TEMPLATE_INVALID', TemplateError);
    expect(err.message).toMatch(/nesting deeper than 40 levels/);
  });

  it('nesting beyond the length limit', async () => {
    const err = await expectCode(sandbox.instantiate(withAnswer('('.repeat(600) + 'a' + ')'.repeat(600)), 1), 'TEMPLATE_INVALID', TemplateError);
    expect(err.message).toMatch(/at most 1000 characters|longer than 1000/);
  });

  it('an expression string handed to gradient() nested too deeply', async () => {
    const err = await expectCode(
      sandbox.instantiate(withAnswer(`gradient("${'('.repeat(480)}x${')'.repeat(480)}", {x: a}).x`), 1),
      'EXPRESSION_INVALID',
      ExpressionError,
    );
    expect(err.message).toMatch(/nests deeper than 64 levels/);
  });

  it('a stack overflow in a worker is TEMPLATE_TOO_DEEP (a sandbox with a 1 MB stack, where mathjs cannot parse 499 parentheses)', async () => {
    const small = new TemplateSandbox({ maxThreads: 1, limits: { stackSizeMb: 1 } });
    try {
      const err = await rejection(small.instantiate(withAnswer('('.repeat(499) + 'a' + ')'.repeat(499)), 1));
      expect(err).toBeInstanceOf(SandboxError);
      expect(err.code).toBe('TEMPLATE_TOO_DEEP');
      expect(err.path).toBe('answers[0].expr');
      expect(err.message).toMatch(/Maximum call stack size exceeded/);
      await expectServes(small);
    } finally {
      await small.close();
    }
  });

  it('deeply nested YAML flow collections are refused before parsing', async () => {
    const report = await sandbox.validate(`id: x\nparams: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual([{ path: [], line: 2, column: 109, code: 'TOO_DEEP', message: 'collections nest deeper than 100 levels' }]);
    await expectServes(sandbox);
  });

  it('deeply nested YAML block mappings', async () => {
    const lines = Array.from({ length: 600 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    const report = await sandbox.validate(`${lines} 1\n`);
    expect(report.ok).toBe(false);
    expect(report.errors[0]?.code).toBe('TOO_DEEP');
    await expectServes(sandbox);
  });

  it('deeply nested content objects: TEMPLATE_TOO_DEEP before they are cloned', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const err = await expectCode(sandbox.instantiate(tiny({ params: { a: { type: 'choice', values: deep } } }), 1), 'TEMPLATE_TOO_DEEP', SandboxError);
    expect(err.message).toMatch(/nests deeper than 32 levels/);
    const report = await sandbox.validate(tiny({ params: { a: { type: 'choice', values: deep } } }));
    expect(report.errors[0]?.code).toBe('TOO_DEEP');
  });

  it('deeply nested answers: ANSWERS_INVALID', async () => {
    const v = await sandbox.instantiate(tiny(), 1);
    let deep: unknown = '1';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    await expectCode(sandbox.grade(tiny(), v, { sum: deep }), 'ANSWERS_INVALID');
  });
});

describe('very long strings', () => {
  it('a prompt of a million characters is a schema error', async () => {
    const err = await expectCode(sandbox.instantiate(tiny({ prompt: 'x'.repeat(1_000_000) }), 1), 'TEMPLATE_INVALID', TemplateError);
    expect(err.message).toMatch(/^prompt: /);
  });

  it('an expression of 1001 characters', async () => {
    await expectCode(sandbox.instantiate(withAnswer(`a${' + 1'.repeat(250)}`), 1), 'TEMPLATE_INVALID', TemplateError);
  });

  it('10 MB of text in content: TEMPLATE_TOO_LARGE before it is sent', async () => {
    await expectCode(sandbox.instantiate(tiny({ notes: 'x'.repeat(10_000_000) }), 1), 'TEMPLATE_TOO_LARGE', SandboxError);
  });

  it('YAML source over 256 KB: a TOO_LARGE issue', async () => {
    const report = await sandbox.validate(`id: x\n# ${'y'.repeat(300_000)}\n`);
    expect(report.errors.map((e) => e.code)).toEqual(['TOO_LARGE']);
  });

  it('a YAML alias bomb', async () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      ),
    ].join('\n');
    const report = await sandbox.validate(bomb);
    expect(report.ok).toBe(false);
    expect(report.errors[0]?.code).toBe('YAML_SYNTAX');
    expect(report.errors[0]?.message).toMatch(/alias/i);
    await expectServes(sandbox);
  });
});

describe('disabled functions', () => {
  it.each([
    'import({x: 1})',
    'evaluate("1 + 1")',
    'parse("1")',
    'compile("1")',
    'createUnit("foo")',
    'simplify("x + x")',
    'derivative("x^2", "x")',
    'resolve("x")',
    'chain(1)',
    'parser()',
    'rationalize("x")',
    'reviver()',
  ])('%s', async (expr) => {
    const name = expr.slice(0, expr.indexOf('('));
    const err = await expectCode(sandbox.instantiate(withAnswer(expr), 1), 'TEMPLATE_INVALID', TemplateError);
    expect(err.message).toContain(`function '${name}' is not allowed`);
    const report = await sandbox.validate(withAnswer(expr));
    expect(report.errors).toEqual([expect.objectContaining({ code: 'UNKNOWN_FUNCTION', path: ['answers', 0, 'expr'] })]);
  });

  it.each(['map([1], evaluate)', 'map([1], import)', 'f = evaluate', 'f(x) = x', 'a = 1', '1; 2', '1:1e9'])('%s (reached indirectly)', async (expr) => {
    await expectCode(sandbox.instantiate(withAnswer(expr), 1), 'TEMPLATE_INVALID', TemplateError);
  });
});

describe('constraints', () => {
  it('never satisfiable: CONSTRAINTS_UNSATISFIABLE, as in-process; validate says so from sampling', async () => {
    const t = tiny({ constraints: ['a > 100'] });
    const err = await expectCode(sandbox.instantiate(t, 1), 'CONSTRAINTS_UNSATISFIABLE', ConstraintError);
    expect(err.message).toMatch(/no draw satisfied the constraints in 200 tries/);
    const report = await sandbox.validate(t);
    expect(report.errors).toEqual([expect.objectContaining({ code: 'CONSTRAINTS_UNSATISFIABLE', path: ['constraints', 0] })]);
  });

  it('never satisfiable and slow (10 000 tries of an expensive draw): TEMPLATE_TIMEOUT', async () => {
    const t = slow(1, { constraints: ['p0 > 1'], maxTries: 10_000 });
    const err = await expectCode(sandbox.instantiate(t, 1), 'TEMPLATE_TIMEOUT', SandboxError);
    expect(err.message).toMatch(/instantiating seed 1 took longer than 2000 ms/);
  });

  it('rarely satisfiable: a warning with the estimated rate', async () => {
    const report = await sandbox.validate(tiny({ params: { a: { type: 'int', min: 1, max: 100 } }, constraints: ['a <= 10'] }));
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual([expect.objectContaining({ code: 'CONSTRAINTS_RARE', path: ['constraints', 0] })]);
    expect(report.warnings[0]?.message).toMatch(/only \d+(\.\d)? % of 200 sampled draws/);
  });
});

describe('runaway computation', () => {
  // The expression language has no loops, recursion or function definitions, so the worst a
  // template can do is a great deal of finite work.
  it('fifty-nine parameters that each invert a matrix: TEMPLATE_TIMEOUT, and the worker is replaced', async () => {
    const before = sandbox.stats().threads;
    const err = await expectCode(sandbox.instantiate(slow(59), 1), 'TEMPLATE_TIMEOUT', SandboxError);
    expect((err as SandboxError).statusCode).toBe(422);
    expect(sandbox.stats().threads).not.toEqual(before);
  });

  it('in preview, self-test and validate too', async () => {
    await expectCode(sandbox.preview(slow(59), 1), 'TEMPLATE_TIMEOUT', SandboxError);
    await expectCode(sandbox.selfTest(slow(59), 10, 1, undefined, { timeoutMs: 1000 }), 'TEMPLATE_TIMEOUT', SandboxError);
    await expectCode(sandbox.validate(slow(59), { timeoutMs: 1000 }), 'TEMPLATE_TIMEOUT', SandboxError);
  });
});

describe('answers that are not finite', () => {
  it.each([
    ['log(0)', /expected a finite number, got -Infinity/],
    ['0 / 0', /expected a finite number, got NaN/],
    ['1 / (a - a)', /expected a finite number, got Infinity/],
    ['sqrt(-a)', /expected a finite number/],
  ])('%s', async (expr, message) => {
    const err = await expectCode(sandbox.instantiate(withAnswer(expr), 1), 'EXPRESSION_INVALID', ExpressionError);
    expect(err.message).toMatch(message);
    expect((err as ExpressionError).path).toBe('answers[0].expr');
    const report = await sandbox.validate(withAnswer(expr));
    expect(report.errors).toEqual([expect.objectContaining({ code: 'ANSWER_NOT_FINITE', path: ['answers', 0, 'expr'] })]);
  });

  it('a vector with a NaN entry', async () => {
    const t = tiny({ answers: [{ id: 'v', label: 'v', type: 'vector', expr: '[a, 0 / 0]' }] });
    await expectCode(sandbox.instantiate(t, 1), 'EXPRESSION_INVALID', ExpressionError);
  });
});
