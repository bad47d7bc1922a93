import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOWED_FUNCTIONS, MATHJS_FUNCTIONS, compileExpression } from '../../src/engine/expr.js';
import { ExpressionError } from '../../src/engine/errors.js';
import { buildRegistry, REGISTRY, SOURCES } from '../../src/engine/registry.js';

const ENGINE = resolve(import.meta.dirname, '../../src/engine');
const compile = (src: string) => compileExpression(src, new Set(['v', 'M']), 'answers[0].expr');

/** Every function a module of src/engine/nn/ (or autodiff, helpers) exports, by module. */
async function exportedFunctions(): Promise<Map<string, string>> {
  const modules = [...readdirSync(resolve(ENGINE, 'nn')).map((f) => `nn/${f.replace(/\.ts$/, '')}`), 'autodiff', 'helpers'];
  const out = new Map<string, string>();
  for (const module of modules) {
    const ns = (await import(resolve(ENGINE, `${module}.ts`))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(ns)) {
      if (typeof value === 'function' && /^[a-z]/.test(name)) out.set(name, module);
    }
  }
  return out;
}

describe('the template function registry', () => {
  it('holds each module’s offers under the module and its topic', () => {
    expect(REGISTRY.get('svmLoss')).toMatchObject({ module: 'nn/losses', topic: 'Losses' });
    expect(REGISTRY.get('gradient')).toMatchObject({ module: 'autodiff' });
    expect(REGISTRY.get('at')).toMatchObject({ module: 'helpers' });
    expect(REGISTRY.size).toBe(SOURCES.reduce((n, s) => n + Object.keys(s.offers).length, 0));
    expect(new Set(SOURCES.map((s) => s.module)).size).toBe(SOURCES.length);
  });

  it('is what the sandbox allows, besides the mathjs allow-list', () => {
    expect([...ALLOWED_FUNCTIONS].sort()).toEqual([...MATHJS_FUNCTIONS, ...REGISTRY.keys()].sort());
    for (const name of REGISTRY.keys()) expect(MATHJS_FUNCTIONS, name).not.toContain(name);
  });

  it('refuses a name offered by two modules', () => {
    const f = (x: number) => x;
    expect(() =>
      buildRegistry([
        { module: 'nn/a', topic: 'A', offers: { f } },
        { module: 'nn/b', topic: 'B', offers: { f } },
      ]),
    ).toThrow("template function 'f' is offered twice: by nn/a and by nn/b");
  });

  it('refuses a function offered under another name, a non-function and a bad name', () => {
    const f = (x: number) => x;
    expect(() => buildRegistry([{ module: 'm', topic: 'M', offers: { g: f } }])).toThrow(/offers the function 'f' under another name, 'g'/);
    const notAFunction = { h: 1 } as unknown as Record<string, () => unknown>;
    expect(() => buildRegistry([{ module: 'm', topic: 'M', offers: notAFunction }])).toThrow(/'h', which is not a function/);
    const F = (x: number) => x;
    expect(() => buildRegistry([{ module: 'm', topic: 'M', offers: { F } }])).toThrow(/'F', which is not a template function name/);
  });

  it('every offered function can be called from a template', () => {
    for (const name of REGISTRY.keys()) expect(() => compile(`${name}(1)`), name).not.toThrow();
  });

  it('an exported but unoffered engine function cannot be called, and the error names it', async () => {
    const exported = await exportedFunctions();
    const unoffered = [...exported.keys()].filter((name) => !REGISTRY.has(name) && !MATHJS_FUNCTIONS.includes(name));
    // The validation helpers of shapes.ts, the kernels of kernels.ts and autodiff's parser.
    expect(unoffered).toEqual(
      expect.arrayContaining(['checkFinite', 'checkMatrix', 'describe', 'mapTensor', 'dotUnchecked', 'softmaxUnchecked', 'parseGraph']),
    );
    for (const name of unoffered) {
      expect(() => compile(`${name}(v)`), name).toThrow(ExpressionError);
      expect(() => compile(`${name}(v)`), name).toThrow(`answers[0].expr: function '${name}' is not allowed`);
      expect(() => compile(`map(v, ${name})`), name).toThrow(`unknown name '${name}'`);
    }
  });

  it('shapes.ts’s flatten and reshape are not installed: the names stay mathjs’s', () => {
    expect(REGISTRY.has('flatten') || REGISTRY.has('reshape')).toBe(false);
    // mathjs's reshape takes a size list; the nn helper reshape(v, rows, cols) would not.
    expect(compile('reshape(v, [2, 2])').evaluate(new Map([['v', [1, 2, 3, 4]]]))).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it.each(['import', 'evaluate', 'parse', 'compile', 'createUnit', 'simplify', 'derivative'])('%s cannot be called', (name) => {
    expect(() => compile(`${name}("1 + 1")`)).toThrow(`answers[0].expr: function '${name}' is not allowed`);
  });
});
