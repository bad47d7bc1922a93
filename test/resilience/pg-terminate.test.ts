/**
 * The database's connections die under load (failover, an administrator's
 * pg_terminate_backend, a restarted PgBouncer): requests in flight may fail, but only with a
 * 5xx (503 DATABASE_UNAVAILABLE), the app recovers without a restart, no accepted submission
 * is lost and none is stored twice.
 *
 * PostgreSQL only (TEST_DATABASE_URL): PGlite runs inside this process on one connection with
 * no server backend to terminate, so there is nothing to kill and the test does not run there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { correctSubmission } from '../../src/authoring/submissions.js';
import { onPostgres } from '../helpers/db.js';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

const TEMPLATE = 'svm-loss-notes-example';
const SUBMISSIONS = 150;
const ISSUES = 50;

interface Outcome {
  status: number;
  code?: string;
}

describe.runIf(onPostgres)('PostgreSQL connections terminated under load', () => {
  let ctx: TestContext;
  let students: TestUser[];
  let course: { id: string };
  /** Variants to submit to, each with its owner, correct answers and Idempotency-Key. */
  let jobs: { variantId: string; user: TestUser; answers: Record<string, unknown>; key: string }[];

  beforeAll(async () => {
    ctx = await setupApp();
    students = await Promise.all(Array.from({ length: 10 }, () => createUser(ctx.app)));
    course = await createCourse(
      ctx.app,
      students.map((s): [TestUser, 'STUDENT'] => [s, 'STUDENT']),
    );
    const issued = await Promise.all(Array.from({ length: SUBMISSIONS }, (_, i) => issue(students[i % students.length])));
    expect(issued.map((r) => r.statusCode).every((s) => s === 201)).toBe(true);
    const rows = await ctx.app.prisma.variant.findMany({ where: { courseId: course.id }, select: { id: true, userId: true, answers: true, parts: true } });
    const byUser = new Map(students.map((s) => [s.id, s]));
    jobs = rows.map((r, i) => ({
      variantId: r.id,
      user: byUser.get(r.userId)!,
      answers: correctSubmission({ secret: { answers: r.answers, parts: r.parts } } as never),
      key: `resilience-${i}`,
    }));
  });
  afterAll(async () => ctx?.close());

  function issue(user: TestUser) {
    return ctx.app.inject({ method: 'POST', url: `/api/v1/courses/${course.id}/practice`, headers: user.auth, payload: { templateId: TEMPLATE } });
  }

  function submit(job: (typeof jobs)[number]) {
    return ctx.app.inject({
      method: 'POST',
      url: `/api/v1/variants/${job.variantId}/submissions`,
      headers: { ...job.user.auth, 'idempotency-key': job.key },
      payload: { answers: job.answers },
    });
  }

  /** Terminates every other connection to this test's database; returns how many it hit. */
  async function killConnections(killer: pg.Client): Promise<number> {
    const { rows } = await killer.query<{ killed: boolean }>(
      'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return rows.filter((r) => r.killed).length;
  }

  /**
   * The jobs' variants that have a submission row (one entry per row), read on the killer's own
   * connection: right after a kill the app's pool may still hand out a connection that was just
   * terminated, and the app's recovery is checked on its own below.
   */
  async function submittedVariants(db: pg.Client): Promise<string[]> {
    const { rows } = await db.query<{ variantId: string }>('SELECT "variantId"::text AS "variantId" FROM "Submission" WHERE "variantId" = ANY($1::uuid[])', [
      jobs.map((j) => j.variantId),
    ]);
    return rows.map((r) => r.variantId);
  }

  /** A new request succeeds within a few tries; only 503s are acceptable meanwhile. */
  async function recovers(): Promise<boolean> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const res = await issue(students[0]);
      if (res.statusCode === 201) return true;
      expect(res.json()).toMatchObject({ statusCode: 503, code: 'DATABASE_UNAVAILABLE' });
      await sleep(100);
    }
    return false;
  }

  it('fails in-flight requests with 503 only, recovers, and loses or duplicates no submission', async () => {
    // The killer is a separate connection to the same database, outside the app's pool.
    const killer = new pg.Client({ connectionString: ctx.tdb.url });
    await killer.connect();
    let killed = 0;
    try {
      const outcomes = new Map<string, Outcome>(); // variantId → what its submit got
      const issueOutcomes: Outcome[] = [];
      const burst = Promise.all([
        ...jobs.map(async (job) => {
          const res = await submit(job);
          outcomes.set(job.variantId, { status: res.statusCode, code: res.json().code });
        }),
        ...Array.from({ length: ISSUES }, async (_, i) => {
          const res = await issue(students[i % students.length]);
          issueOutcomes.push({ status: res.statusCode, code: res.json().code });
        }),
      ]);
      // Kill repeatedly while the burst runs, so that queries in flight, idle pooled
      // connections and freshly opened ones are all hit.
      let done = false;
      void burst.finally(() => (done = true));
      for (let round = 0; round < 5 && !done; round++) {
        await sleep(round === 0 ? 10 : 40);
        killed += await killConnections(killer);
      }
      await burst;
      expect(killed).toBeGreaterThan(0);

      // In flight: success, or a server-side failure that says the database was unavailable.
      for (const o of [...outcomes.values(), ...issueOutcomes]) {
        if (o.status >= 300) expect(o, 'a failed request in flight').toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
        else expect([200, 201]).toContain(o.status);
      }
      const accepted = new Set([...outcomes].filter(([, o]) => o.status < 300).map(([id]) => id));
      const failed = jobs.filter((j) => outcomes.get(j.variantId)!.status >= 300);

      // No accepted submission lost; a row without a 2xx can only come from a request that
      // failed after its INSERT committed (the outcome a 503 leaves open), never from a 4xx.
      const rows = await submittedVariants(killer);
      const stored = new Set(rows);
      expect(rows.length, 'one row per variant').toBe(stored.size);
      for (const id of accepted) expect(stored.has(id), `accepted submission ${id} is stored`).toBe(true);
      for (const id of stored) if (!accepted.has(id)) expect(outcomes.get(id)!.status).toBe(503);

      // Recovery without a restart: new requests succeed, also right after the pool's idle
      // connections are killed (a few retries allowed while the pool replaces them).
      expect(await recovers()).toBe(true);
      killed = await killConnections(killer);
      expect(killed).toBeGreaterThan(0);
      expect(await recovers()).toBe(true);
      expect((await ctx.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);

      // The clients whose requests failed retry with the same Idempotency-Key: each gets the
      // stored result (200) or a first grading (201), and then the database holds exactly one
      // row per variant, each acknowledged.
      for (const job of failed) {
        const res = await submit(job);
        expect([200, 201], `retry of ${job.variantId}: ${res.body}`).toContain(res.statusCode);
        expect(res.statusCode === 200).toBe(stored.has(job.variantId));
        accepted.add(job.variantId);
      }
      const after = await submittedVariants(killer);
      expect(after.length).toBe(accepted.size);
      expect(new Set(after)).toEqual(accepted);
      expect(accepted.size).toBe(jobs.length);
    } finally {
      await killer.end();
    }
  });
});
