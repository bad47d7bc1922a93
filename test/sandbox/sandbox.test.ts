/**
 * TemplateSandbox against the in-process engine: the same variants, grades, self-test reports
 * and errors for every catalogue template; deadlines that stop a task and leave the pool
 * serving; the queue not counted against a deadline; concurrency; recycling; close().
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfTest } from '../../src/authoring/self-test.js';
import { correctSubmission, perturbedSubmission, unreadableSubmission } from '../../src/authoring/submissions.js';
import { compileTemplate, ConstraintError, EngineError, ExpressionError, grade, instantiate, TemplateError } from '../../src/engine/index.js';
import { toErrorBody } from '../../src/plugins/errors.js';
import { SandboxError, TemplateSandbox } from '../../src/sandbox/index.js';
import { catalogue, expectServes, rejection, tiny, withAnswer, type CatalogueEntry } from './helpers.js';

let sandbox: TemplateSandbox;
let entries: CatalogueEntry[];

beforeAll(async () => {
  entries = catalogue();
  sandbox = new TemplateSandbox({ maxThreads: 2 });
  await sandbox.ping();
});

afterAll(async () => {
  await sandbox.close();
});

/** A template that takes about `ms` per variant (a derived parameter inverting 100×100 matrices, ~100 ms each). */
function taking(inversions: number): Record<string, unknown> {
  const params: Record<string, unknown> = { a: { type: 'int', min: 1, max: 9 } };
  for (let i = 0; i < inversions; i++) params[`p${i}`] = { type: 'derived', expr: 'sum(inv(ones(100, 100) + identity(100)))' };
  return tiny({ params });
}

/** Everything about an error a caller can observe. */
function observable(err: unknown): Record<string, unknown> {
  const e = err as Error & { code?: unknown; path?: unknown; position?: unknown; issues?: unknown };
  return { class: e.constructor.name, name: e.name, code: e.code, message: e.message, path: e.path, position: e.position, issues: e.issues };
}

function inProcessError(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error in-process');
}

describe('the worker loads TypeScript', () => {
  it('under vitest', async () => {
    const { threadId, loadMs } = await sandbox.ping();
    expect(threadId).toBeGreaterThan(0);
    expect(loadMs).toBeGreaterThan(0);
  });

  it("without the server's environment", async () => {
    process.env.QUIZGRAD_TEST_SECRET = 'x';
    const fresh = new TemplateSandbox({ maxThreads: 1 });
    try {
      const { env } = await fresh.ping();
      expect(env).not.toContain('QUIZGRAD_TEST_SECRET');
      expect(env).not.toContain('PATH');
      expect(env.every((k) => ['NODE_ENV', 'TMPDIR', 'TMP', 'TEMP'].includes(k))).toBe(true);
    } finally {
      delete process.env.QUIZGRAD_TEST_SECRET;
      await fresh.close();
    }
  });

  it('under a plain `tsx script.ts`', () => {
    const run = spawnSync('node_modules/.bin/tsx', ['test/sandbox/tsx-smoke.ts'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ same: true, code: 'TEMPLATE_TIMEOUT', after: true });
  });
});

describe('results equal the in-process engine', () => {
  it('for every catalogue template: instantiate, preview and grade (right, perturbed and unreadable answers)', async () => {
    expect(entries.length).toBeGreaterThan(50);
    await Promise.all(
      entries.map(async ({ file, content, ct }) => {
        for (const seed of [1, 2, 97]) {
          const want = instantiate(ct, seed);
          const got = await sandbox.instantiate(content, seed);
          expect(got, `${file} seed ${seed}`).toEqual(want);
          expect(await sandbox.preview(content, seed)).toEqual(want);
          const stored = JSON.parse(JSON.stringify(want)) as typeof want;
          for (const answers of [correctSubmission(stored), perturbedSubmission(stored), unreadableSubmission(stored)]) {
            expect(await sandbox.grade(content, stored, answers), `${file} seed ${seed}`).toEqual(grade(stored, answers, ct));
          }
        }
      }),
    );
  });

  it('for every catalogue template: validate accepts it, with its hash', async () => {
    for (const { file, content, ct } of entries) {
      const report = await sandbox.validate(content);
      expect(report.errors, file).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.hash).toBe(ct.hash);
      expect(report.template).toEqual(ct.template);
    }
  });

  it('for every catalogue template: self-test gives the in-process report, in batches of 25, with timings', async () => {
    for (const { file, content, ct } of entries) {
      const progress: number[] = [];
      const report = await sandbox.selfTest(content, 60, 11, (done, total) => {
        expect(total).toBe(60);
        progress.push(done);
      });
      const { timings, ...rest } = report;
      expect(rest, file).toEqual(selfTest(ct, 60, 11));
      expect(progress).toEqual([25, 50, 60]);
      expect(timings.p50Ms).toBeGreaterThan(0);
      expect(timings.maxMs).toBeGreaterThanOrEqual(timings.p50Ms);
      expect(timings.totalMs).toBeGreaterThanOrEqual(timings.maxMs);
    }
  });

  it('distinct variants are counted across batches (a parameter with 3 values)', async () => {
    const t = tiny({ params: { a: { type: 'choice', values: [1, 2, 3] } } });
    const report = await sandbox.selfTest(t, 100);
    expect(report.distinct).toBe(3);
    expect(report.distinct).toBe(selfTest(compileTemplate(t), 100).distinct);
  });
});

describe('engine errors come back as themselves', () => {
  const cases: [string, Record<string, unknown>, new (...a: never[]) => Error][] = [
    ['a schema error (TemplateError with issues)', tiny({ difficulty: 9, tolerence: 1 }), TemplateError],
    ['an unknown name at compile time', withAnswer('a + nope'), TemplateError],
    ['a parse error (position)', withAnswer('a + * 2'), TemplateError],
    ['an evaluation error (ExpressionError)', withAnswer('at([1, 2], 5)'), ExpressionError],
    ['an answer of the wrong type', withAnswer('"text"'), ExpressionError],
    ['unsatisfiable constraints (ConstraintError)', tiny({ constraints: [{ expr: 'a > 10', message: 'too small' }] }), ConstraintError],
  ];
  it.each(cases)('%s', async (_, t, cls) => {
    const want = inProcessError(() => instantiate(compileTemplate(t, 'course v2'), 4));
    const got = await rejection(sandbox.instantiate(t, 4, { where: 'course v2' }));
    expect(got).toBeInstanceOf(cls);
    expect(got).toBeInstanceOf(EngineError);
    expect(observable(got)).toEqual(observable(want));
    expect(toErrorBody(got)).toEqual(toErrorBody(want));
  });

  it('a grading error (EngineError ANSWERS_INVALID)', async () => {
    const t = tiny();
    const v = instantiate(compileTemplate(t), 1);
    const answers = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, '1']));
    const want = inProcessError(() => grade(v, answers, compileTemplate(t)));
    const got = await rejection(sandbox.grade(t, v, answers));
    expect(got).toBeInstanceOf(EngineError);
    expect(observable(got)).toEqual(observable(want));
  });

  it('a bad seed (RangeError)', async () => {
    const err = await rejection(sandbox.instantiate(tiny(), -1));
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toMatch(/seed must be an integer/);
  });
});

describe('deadlines', () => {
  it('a task past its deadline is TEMPLATE_TIMEOUT (422), its worker is replaced, and the next task succeeds', async () => {
    const before = sandbox.stats().threads;
    const started = performance.now();
    const err = await rejection(sandbox.instantiate(taking(50), 1, { timeoutMs: 300 }));
    expect(err).toBeInstanceOf(SandboxError);
    expect(err.code).toBe('TEMPLATE_TIMEOUT');
    expect(err.message).toBe('instantiating seed 1 took longer than 300 ms (a loop, or far too much work); it was stopped');
    expect(toErrorBody(err)).toEqual({ statusCode: 422, code: 'TEMPLATE_TIMEOUT', message: err.message });
    expect(performance.now() - started).toBeLessThan(5000);
    await expectServes(sandbox);
    expect(sandbox.stats().threads).not.toEqual(before);
  });

  it('time waiting in the queue does not count against a deadline', async () => {
    const one = new TemplateSandbox({ maxThreads: 1 });
    try {
      await one.ping();
      // The slow task holds the only worker for well over the quick ones' deadline.
      const slowTask = one.instantiate(taking(8), 1, { timeoutMs: 30_000 });
      const started = performance.now();
      const quick = await Promise.all([1, 2, 3].map((seed) => one.instantiate(tiny(), seed, { timeoutMs: 200 })));
      const waited = performance.now() - started;
      await slowTask;
      expect(quick).toEqual([1, 2, 3].map((seed) => instantiate(compileTemplate(tiny()), seed)));
      expect(waited).toBeGreaterThan(200);
    } finally {
      await one.close();
    }
  });

  it('a task that waits too long for a worker is SANDBOX_BUSY (503)', async () => {
    const one = new TemplateSandbox({ maxThreads: 1 });
    try {
      await one.ping();
      const slowTask = one.instantiate(taking(8), 1, { timeoutMs: 30_000 });
      const err = await rejection(one.instantiate(tiny(), 1, { queueTimeoutMs: 150 }));
      expect(err.code).toBe('SANDBOX_BUSY');
      expect(toErrorBody(err).statusCode).toBe(503);
      await slowTask;
      await expectServes(one);
    } finally {
      await one.close();
    }
  });

  it("the caller's signal aborts with its reason", async () => {
    const controller = new AbortController();
    const p = sandbox.instantiate(taking(50), 1, { signal: controller.signal, timeoutMs: 30_000 });
    setTimeout(() => controller.abort(new Error('client went away')), 100);
    const err = await rejection(p);
    expect(err.message).toBe('client went away');
    await expectServes(sandbox);
    await expect(sandbox.instantiate(tiny(), 1, { signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
  });
});

describe('concurrency', () => {
  it('two hundred concurrent instantiate and grade calls across the catalogue give the in-process results', async () => {
    const jobs = Array.from({ length: 200 }, (_, i) => {
      const { content, ct } = entries[i % entries.length];
      const seed = 1000 + i;
      return { content, ct, seed };
    });
    const variants = await Promise.all(jobs.map((j) => sandbox.instantiate(j.content, j.seed)));
    variants.forEach((v, i) => expect(v).toEqual(instantiate(jobs[i].ct, jobs[i].seed)));
    const grades = await Promise.all(jobs.map((j, i) => sandbox.grade(j.content, variants[i], correctSubmission(variants[i]))));
    for (const g of grades) expect(g.score).toBe(1);
  });

  it('a runaway task does not disturb the others', async () => {
    const runaway = rejection(sandbox.instantiate(taking(50), 1, { timeoutMs: 500 }));
    const { content, ct } = entries[0];
    const others = await Promise.all(Array.from({ length: 50 }, (_, i) => sandbox.instantiate(content, i)));
    others.forEach((v, i) => expect(v).toEqual(instantiate(ct, i)));
    expect((await runaway).code).toBe('TEMPLATE_TIMEOUT');
  });
});

describe('naming templates by key', () => {
  it('a caller key lets a different content object reuse the compiled template; a worker without it gets the content', async () => {
    const t = tiny({ id: 'keyed' });
    const want = instantiate(compileTemplate(t), 8);
    for (let i = 0; i < 6; i++) expect(await sandbox.instantiate(structuredClone(t), 8, { key: 'keyed-v1' })).toEqual(want);
  });

  it('an unknown key with content compiles the content', async () => {
    const t = tiny({ id: 'keyed-two' });
    expect(await sandbox.instantiate(t, 2, { key: `fresh-${Date.now()}` })).toEqual(instantiate(compileTemplate(t), 2));
  });
});

describe('recycling', () => {
  it('after enough compiles the workers are replaced, and results stay the same', async () => {
    const small = new TemplateSandbox({ maxThreads: 1, recycleAfterCompiles: 3 });
    try {
      const first = (await small.ping()).threadId;
      for (let i = 0; i < 4; i++) {
        const t = tiny({ id: `recycle-${i}` });
        expect(await small.instantiate(t, i)).toEqual(instantiate(compileTemplate(t), i));
      }
      await expect.poll(() => small.stats().recycled, { timeout: 30_000, interval: 100 }).toBe(1);
      const next = (await small.ping()).threadId;
      expect(next).not.toBe(first);
      await expectServes(small);
    } finally {
      await small.close();
    }
  });
});

describe('close()', () => {
  it('rejects calls in flight and later ones with SHUTTING_DOWN, and can be called twice', async () => {
    const doomed = new TemplateSandbox({ maxThreads: 1 });
    await doomed.ping();
    const inFlight = rejection(doomed.instantiate(taking(30), 1, { timeoutMs: 30_000 }));
    await new Promise((r) => setTimeout(r, 50));
    await doomed.close();
    expect((await inFlight).code).toBe('SHUTTING_DOWN');
    const later = await rejection(doomed.instantiate(tiny(), 1));
    expect(later).toBeInstanceOf(SandboxError);
    expect(later.code).toBe('SHUTTING_DOWN');
    expect(toErrorBody(later).statusCode).toBe(503);
    await doomed.close();
    expect(doomed.stats().threads).toEqual([]);
  });
});
