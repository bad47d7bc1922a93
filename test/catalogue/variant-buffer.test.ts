/**
 * VariantBuffer against a real sandbox: drawn variants are the engine's for their seed, never
 * handed out twice (one after another or all at once), cost far fewer sandbox tasks than
 * variants, and a template that cannot produce one fails every draw with the engine's error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedVersion } from '../../src/catalogue/catalogue.js';
import { VariantBuffer } from '../../src/catalogue/variant-buffer.js';
import { compileTemplate, ConstraintError, instantiate } from '../../src/engine/index.js';
import { SandboxError, TemplateSandbox } from '../../src/sandbox/index.js';
import { rejection, tiny, withAnswer } from '../sandbox/helpers.js';

let sandbox: TemplateSandbox;

beforeAll(async () => {
  sandbox = new TemplateSandbox({ maxThreads: 2, timeouts: { instantiate: 1500 } });
  await sandbox.ping();
});

afterAll(async () => {
  await sandbox.close();
});

let versions = 0;
function loaded(content: Record<string, unknown>): LoadedVersion {
  versions++;
  return { versionId: `v-${versions}`, templateId: `course/${String(content.id)}`, version: 1, compiled: compileTemplate(content), untrusted: true };
}

/** A template whose variants take ~100 ms each (a derived parameter inverting a 100×100 matrix). */
const slowEach = tiny({ id: 'slow', params: { a: { type: 'int', min: 1, max: 9 }, p: { type: 'derived', expr: 'sum(inv(ones(100, 100) + identity(100)))' } } });

describe('VariantBuffer', () => {
  it('hands out the engine’s variant for each seed, each seed once, in far fewer tasks than variants', async () => {
    const buffer = new VariantBuffer(() => sandbox, { size: 32 });
    const v = loaded(tiny({ params: { a: { type: 'int', min: 1, max: 1_000_000 } } }));
    const before = sandbox.stats().completed;
    const seeds = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const variant = await buffer.draw(v);
      expect(variant).toEqual(instantiate(v.compiled, variant.seed));
      seeds.add(variant.seed);
    }
    expect(seeds.size).toBe(200);
    // 200 variants in batches of up to 32 (at least 16 per refill): at most ~13 tasks, not 200.
    expect(sandbox.stats().completed - before).toBeLessThanOrEqual(20);
  });

  it('concurrent draws get distinct variants', async () => {
    const buffer = new VariantBuffer(() => sandbox, { size: 8 });
    const v = loaded(tiny({ params: { a: { type: 'int', min: 1, max: 1_000_000 } } }));
    const drawn = await Promise.all(Array.from({ length: 60 }, () => buffer.draw(v)));
    expect(new Set(drawn.map((d) => d.seed)).size).toBe(60);
  });

  it('a batch stops at its time budget: a slow template comes one variant per task, still correct', async () => {
    const batch = await sandbox.instantiateMany(slowEach, [1, 2, 3, 4, 5, 6, 7, 8], 20);
    expect(batch.tried).toBeLessThan(8);
    expect(batch.variants.length).toBe(batch.tried);
    expect(batch.variants[0]).toEqual(instantiate(compileTemplate(slowEach), 1));
    const buffer = new VariantBuffer(() => sandbox, { size: 8, budgetMs: 20 });
    const v = loaded(slowEach);
    const variant = await buffer.draw(v);
    expect(variant).toEqual(instantiate(v.compiled, variant.seed));
  });

  it('a template no seed satisfies: every draw fails with ConstraintError, and the next one too', async () => {
    const buffer = new VariantBuffer(() => sandbox);
    const v = loaded(tiny({ id: 'never', constraints: ['a > 100'] }));
    expect(await rejection(buffer.draw(v))).toBeInstanceOf(ConstraintError);
    expect(await rejection(buffer.draw(v))).toBeInstanceOf(ConstraintError);
    expect(buffer.stats().ready).toBe(0);
  });

  it('a template whose variants fail: the draw gets the same error as instantiate, every time', async () => {
    const buffer = new VariantBuffer(() => sandbox);
    const content = withAnswer('a / (a - a)');
    const v = loaded(content);
    const direct = await rejection(sandbox.instantiate(content, 1));
    for (let i = 0; i < 2; i++) {
      const err = await rejection(buffer.draw(v));
      expect(err.constructor).toBe(direct.constructor);
      expect(err.code).toBe(direct.code);
    }
  });

  it('a template that loops: TEMPLATE_TIMEOUT to the draw, and the buffer still serves others', async () => {
    const buffer = new VariantBuffer(() => sandbox);
    // ~100 ms a draw and no draw satisfies the constraint: 10 000 tries would take minutes.
    const looping = { ...slowEach, id: 'loops', constraints: ['p > 1e9'], maxTries: 10_000 };
    const err = await rejection(buffer.draw(loaded(looping)));
    expect(err).toBeInstanceOf(SandboxError);
    expect(err.code).toBe('TEMPLATE_TIMEOUT');
    const v = loaded(tiny({ id: 'after' }));
    const variant = await buffer.draw(v);
    expect(variant).toEqual(instantiate(v.compiled, variant.seed));
  });

  it('keeps at most maxVersions versions, dropping the least recently drawn', async () => {
    const buffer = new VariantBuffer(() => sandbox, { size: 4, maxVersions: 2 });
    for (const id of ['one', 'two', 'three']) await buffer.draw(loaded(tiny({ id })));
    expect(buffer.stats().versions).toBe(2);
  });
});
