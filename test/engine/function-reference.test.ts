/**
 * docs/functions.md, the authors' reference of template functions, is generated from the doc
 * comments of the registry's functions. This fails when a function, its signature or its doc
 * comment changed and `npm run docs:functions` was not run, when a registered function has no
 * doc comment, and when an example in a doc comment is not a working template expression whose
 * value is the one written after it.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS_FILE, readReference, renderReference, undocumented, type ModuleDoc } from '../../scripts/function-reference.js';
import { compileExpression } from '../../src/engine/expr.js';
import { REGISTRY } from '../../src/engine/registry.js';

let modules: ModuleDoc[];
// Building the TypeScript program takes a few seconds: once for the whole file.
beforeAll(() => {
  modules = readReference();
});

const functions = () => modules.flatMap((m) => m.functions);
const evaluate = (source: string): unknown => compileExpression(source, new Set(), 'example').evaluate(new Map());

/** Equal, with numbers compared to the 6 significant digits the examples are written with. */
function close(actual: unknown, expected: unknown): boolean {
  if (typeof actual === 'number' && typeof expected === 'number') {
    return Math.abs(actual - expected) <= 1e-5 * Math.max(Math.abs(actual), Math.abs(expected)) + 1e-9;
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    return actual.length === expected.length && actual.every((a, i) => close(a, expected[i]));
  }
  return actual === expected;
}

describe('docs/functions.md', () => {
  it('matches the doc comments of the registry’s functions', () => {
    const committed = readFileSync(FUNCTIONS_FILE, 'utf8');
    expect(committed === renderReference(modules), 'the reference is stale: run `npm run docs:functions` and commit docs/functions.md').toBe(true);
  });

  it('lists every registered function once, under its module', () => {
    expect(functions().map((f) => f.name)).toEqual([...REGISTRY.keys()]);
    for (const f of functions()) expect(f.module, f.name).toBe(REGISTRY.get(f.name)?.module);
  });

  it('is linked from the template guide', () => {
    expect(readFileSync(new URL('../../docs/templates.md', import.meta.url), 'utf8')).toContain('(functions.md)');
  });
});

describe('the doc comments of template functions', () => {
  it('every registered function has one, and documents every argument and its result', () => {
    expect(undocumented(modules)).toEqual([]);
    const gaps = functions().flatMap((f) => [
      ...f.params.filter((p) => p.doc === '').map((p) => `${f.name}: argument ${p.name}`),
      ...(f.returns.doc === '' ? [`${f.name}: @returns`] : []),
      ...f.returns.fields.filter((field) => field.doc === '').map((field) => `${f.name}: result field ${field.name}`),
    ]);
    expect(gaps).toEqual([]);
  });

  it('shows signatures in template terms', () => {
    const byName = new Map(functions().map((f) => [f.name, f]));
    expect(byName.get('svmLoss')?.signature).toBe('svmLoss(scores: vector, y: number, margin: number = 1) → number');
    expect(byName.get('sigmoid')?.signature).toBe('sigmoid(x: number | vector | matrix) → same shape as x');
    expect(byName.get('gradient')?.signature).toBe('gradient(expr: string, point: object (name → number)) → object (name → number)');
    expect(byName.get('knnPredict')?.params.at(-1)?.type).toBe('"l1" | "l2"');
    expect(byName.get('momentumStep')?.returns.fields.map((f) => f.name)).toEqual(['x', 'v']);
  });

  it('their examples are template expressions with the value written after them', () => {
    const wrong: string[] = [];
    for (const f of functions()) {
      for (const example of f.examples) {
        const [source, written] = example.split(' // ');
        let actual: unknown;
        try {
          actual = evaluate(source);
        } catch (err) {
          wrong.push(`${f.name}: ${source} fails: ${String(err)}`);
          continue;
        }
        if (written === undefined) continue;
        let expected: unknown = written;
        try {
          expected = evaluate(written);
        } catch {
          // Not an expression: the written text is the (string) result itself, e.g. LaTeX.
        }
        if (!close(actual, expected)) wrong.push(`${f.name}: ${source} is ${JSON.stringify(actual)}, not ${written}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
