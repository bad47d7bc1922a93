/**
 * The practice batched statements (src/repos/practice/batches.ts) on the real database: issues,
 * reads and inserts of concurrent requests share statements, yet each request gets its own row,
 * result or refusal.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correctSubmission } from '../../src/authoring/submissions.js';
import { practiceBatches, type NewSubmission, type NewVariant, type PracticeBatches } from '../../src/repos/practice/batches.js';
import type { RawSql } from '../../src/db/raw.js';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

let ctx: TestContext;
let alice: TestUser;
let bob: TestUser;
let course: { id: string };

beforeAll(async () => {
  ctx = await setupApp();
  alice = await createUser(ctx.app);
  bob = await createUser(ctx.app);
  course = await createCourse(ctx.app, [
    [alice, 'STUDENT'],
    [bob, 'STUDENT'],
  ]);
});
afterAll(async () => ctx?.close());

/** practiceBatches on the app's database, counting the statements it sends. */
function counted(): { batches: PracticeBatches; statements: () => number } {
  let n = 0;
  const sql: RawSql = { ...ctx.app.sql, query: (s) => (n++, ctx.app.sql.query(s)) };
  return { batches: practiceBatches(sql), statements: () => n };
}

async function issue(user: TestUser): Promise<string> {
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/courses/${course.id}/practice`,
    headers: user.auth,
    payload: { templateId: 'svm-loss-notes-example' },
  });
  expect(res.statusCode).toBe(201);
  return res.json().id as string;
}

async function rightAnswers(variantId: string) {
  const row = await ctx.app.prisma.variant.findUniqueOrThrow({ where: { id: variantId } });
  return correctSubmission({ secret: { answers: row.answers, parts: row.parts } } as never);
}

function row(variantId: string, userId: string, key: string | null = null): NewSubmission {
  return { id: randomUUID(), variantId, userId, answers: { a: '1' }, results: [], score: 0.5, points: 1, maxPoints: 2, idempotencyKey: key, requestHash: 'h' };
}

function variant(user: TestUser, courseId: string, admin = false): NewVariant {
  return {
    id: randomUUID(),
    templateVersionId: versionId,
    userId: user.id,
    courseId,
    admin,
    seed: 7,
    params: { x: [1.5, -2] },
    answers: { a: 0.25 },
    parts: [],
    prompt: 'p "quoted" \\ and ünïcode',
    solution: 's',
  };
}
let versionId: string;

describe('practice batches', () => {
  it('stores concurrent issues in one statement, each only if its owner may practise in the course', async () => {
    versionId = (await ctx.app.catalogue.current(course.id, 'svm-loss-notes-example')).versionId;
    const outsider = await createUser(ctx.app);
    const admin = await createUser(ctx.app, { admin: true });
    const rows = [
      variant(alice, course.id),
      variant(outsider, course.id),
      variant(bob, randomUUID()),
      variant(admin, course.id, true),
      variant(alice, 'not-a-uuid'),
    ];
    const { batches, statements } = counted();
    const results = await Promise.all(rows.map((r) => batches.storeVariant(r)));
    expect(statements()).toBe(1); // the malformed course id never joins the batch
    expect(results.map((r) => r?.courseId)).toEqual([course.id, undefined, undefined, course.id, undefined]);
    const stored = await ctx.app.prisma.variant.findMany({ where: { id: { in: rows.map((r) => r.id) } } });
    expect(stored.map((v) => v.id).sort()).toEqual([rows[0].id, rows[3].id].sort());
    const first = stored.find((v) => v.id === rows[0].id)!;
    expect(first.prompt).toBe(rows[0].prompt);
    expect(first.params).toEqual({ x: [1.5, -2] });
    expect(first.answers).toEqual({ a: 0.25 });
    expect(first.createdAt.getTime()).toBe(results[0]!.createdAt.getTime());
  });

  it('reads concurrent variants in one go: each caller gets its own row or undefined', async () => {
    const [v1, v2] = [await issue(alice), await issue(bob)];
    const missing = randomUUID();
    const { batches, statements } = counted();
    const [r1, r2, r1Upper, none, junk, bare] = await Promise.all([
      batches.readVariant(v1),
      batches.readVariant(v2),
      batches.readVariant(v1.toUpperCase()),
      batches.readVariant(missing),
      batches.readVariant('not-a-uuid'),
      batches.readVariant(v1.replaceAll('-', '')),
    ]);
    expect(statements()).toBe(1);
    expect(r1?.id).toBe(v1);
    expect(r1?.userId).toBe(alice.id);
    expect(r2?.id).toBe(v2);
    expect(r2?.userId).toBe(bob.id);
    expect(r1Upper?.id).toBe(v1);
    expect(none).toBeUndefined();
    expect(junk).toBeUndefined();
    expect(bare).toBeUndefined();
  });

  it('a row the database refuses fails alone; the rest of its batch is stored', async () => {
    const [v1, v2] = [await issue(alice), await issue(alice)];
    const { batches, statements } = counted();
    const results = await Promise.allSettled([
      batches.storeSubmission(row(v1, alice.id)),
      batches.storeSubmission(row(randomUUID(), alice.id)), // no such variant: foreign key violation
      batches.storeSubmission(row(v2, alice.id)),
    ]);
    expect(statements()).toBe(4); // the batch (refused, rolled back), then each row alone
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((results[1] as PromiseRejectedResult).reason as { code?: string }).code).toBe('23503');
    const stored = await ctx.app.prisma.submission.findMany({ where: { variantId: { in: [v1, v2] } } });
    expect(stored.map((s) => s.variantId).sort()).toEqual([v1, v2].sort());
    for (const r of results.filter((x) => x.status === 'fulfilled'))
      expect(stored.map((s) => s.id)).toContain((r as PromiseFulfilledResult<{ id: string }>).value.id);
  });

  it('two rows for one variant, or one key twice, in the same batch: one is stored, the other comes back refused', async () => {
    const [v1, v2, v3] = [await issue(alice), await issue(alice), await issue(alice)];
    const { batches, statements } = counted();
    const [a, b] = await Promise.all([batches.storeSubmission(row(v1, alice.id)), batches.storeSubmission(row(v1, alice.id))]);
    expect(statements()).toBe(1);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(await ctx.app.prisma.submission.count({ where: { variantId: v1 } })).toBe(1);

    const [c, d] = await Promise.all([batches.storeSubmission(row(v2, alice.id, 'same-key')), batches.storeSubmission(row(v3, alice.id, 'same-key'))]);
    expect(statements()).toBe(2);
    expect([c, d].filter(Boolean)).toHaveLength(1);
    expect(await ctx.app.prisma.submission.count({ where: { variantId: { in: [v2, v3] } } })).toBe(1);
  });

  it('concurrent submits of two students, right and wrong, each get their own grade and row', async () => {
    const variants = await Promise.all(Array.from({ length: 10 }, (_, i) => issue(i % 2 ? bob : alice)));
    const sends = await Promise.all(
      variants.map(async (id, i) => {
        const right = await rightAnswers(id);
        const answers = i % 3 === 0 ? Object.fromEntries(Object.keys(right).map((k) => [k, '98765.4321'])) : right;
        return { id, user: i % 2 ? bob : alice, answers, right: i % 3 !== 0 };
      }),
    );
    const responses = await Promise.all(
      sends.map((s) => ctx.app.inject({ method: 'POST', url: `/api/v1/variants/${s.id}/submissions`, headers: s.user.auth, payload: { answers: s.answers } })),
    );
    const rows = await ctx.app.prisma.submission.findMany({ where: { variantId: { in: variants } } });
    expect(rows).toHaveLength(10);
    sends.forEach((s, i) => {
      const res = responses[i];
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body.variantId).toBe(s.id);
      expect(body.score).toBe(s.right ? 1 : 0);
      const stored = rows.find((r) => r.variantId === s.id)!;
      expect(stored.id).toBe(body.submissionId);
      expect(stored.userId).toBe(s.user.id);
      expect(stored.score).toBe(body.score);
      expect(stored.points).toBe(body.points);
      expect(stored.results).toEqual(body.parts);
      expect(new Date(stored.createdAt).toISOString()).toBe(body.createdAt);
    });
  });
});
