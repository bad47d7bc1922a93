/** Shared by the sandbox suites: the catalogue as stored content, a small template to vary, and "the pool still serves". */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { compileTemplate, instantiate, templateFiles, type CompiledTemplate } from '../../src/engine/index.js';
import type { TemplateSandbox } from '../../src/sandbox/index.js';

export interface CatalogueEntry {
  file: string;
  /** The template as parsed from its file, defaults not applied: what the database stores. */
  content: Record<string, unknown>;
  ct: CompiledTemplate;
}

export function catalogue(): CatalogueEntry[] {
  return templateFiles('problems').map((file) => {
    const content = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return { file, content, ct: compileTemplate(content, file) };
  });
}

/** A small valid template; `over` replaces top-level fields. */
export function tiny(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'tiny',
    title: 'Tiny',
    topic: 'test',
    difficulty: 1,
    params: { a: { type: 'int', min: 1, max: 9 } },
    prompt: 'Compute {{ a }} / 4.',
    answers: [{ id: 'sum', label: 'the quotient', type: 'number', expr: 'a / 4' }],
    ...over,
  };
}

/** A template whose one answer is `expr` over an int parameter `a`. */
export function withAnswer(expr: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return tiny({ answers: [{ id: 'x', label: 'x', type: 'number', expr }], ...over });
}

const good = tiny({ id: 'good-after' });
const goodCt = compileTemplate(good);

/** The pool still gives the in-process result for a good template (on a fresh content object, so it is sent again). */
export async function expectServes(sandbox: TemplateSandbox, seed = 5): Promise<void> {
  const v = await sandbox.instantiate(structuredClone(good), seed);
  expect(v).toEqual(instantiate(goodCt, seed));
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { code?: string; path?: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Error) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}
