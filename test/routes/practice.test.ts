import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correctSubmission } from '../../src/authoring/submissions.js';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

let ctx: TestContext;
let student: TestUser;
let other: TestUser;
let ta: TestUser;
let course: { id: string };

beforeAll(async () => {
  ctx = await setupApp();
  student = await createUser(ctx.app);
  other = await createUser(ctx.app);
  ta = await createUser(ctx.app);
  course = await createCourse(ctx.app, [
    [student, 'STUDENT'],
    [other, 'STUDENT'],
    [ta, 'TA'],
  ]);
});
afterAll(async () => ctx?.close());

async function issue(user: TestUser, body: Record<string, unknown> = { templateId: 'svm-loss-notes-example' }) {
  return ctx.app.inject({ method: 'POST', url: `/api/v1/courses/${course.id}/practice`, headers: user.auth, payload: body });
}

/** The correct answers of a variant, read from the database as a test oracle. */
async function rightAnswers(variantId: string) {
  const row = await ctx.app.prisma.variant.findUniqueOrThrow({ where: { id: variantId } });
  return correctSubmission({ secret: { answers: row.answers, parts: row.parts } } as never);
}

/** The raw JSON carries no secret field, no correct answer and no part of the solution. */
function assertNoSecrets(raw: string, row: { answers: unknown; solution: string; params: unknown }) {
  const keys = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        keys.add(k);
        walk(x);
      }
  };
  walk(JSON.parse(raw));
  for (const secret of ['answers', 'correctAnswers', 'solution', 'params', 'expr', 'seed']) expect(keys).not.toContain(secret);
  for (const value of Object.values(row.answers as Record<string, unknown>)) {
    // Short values like 0 occur by chance in ids; a non-trivial decimal answer must not.
    const text = JSON.stringify(value);
    if (text.length >= 3 && /\./.test(text)) expect(raw).not.toContain(text);
  }
  expect(raw).not.toContain(row.solution.slice(0, 60));
}

function submit(user: TestUser, variantId: string, answers: unknown, key?: string) {
  return ctx.app.inject({
    method: 'POST',
    url: `/api/v1/variants/${variantId}/submissions`,
    headers: { ...user.auth, ...(key ? { 'idempotency-key': key } : {}) },
    payload: { answers },
  });
}

describe('practice', () => {
  it('issues a variant without answers or solution', async () => {
    const res = await issue(student);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['courseId', 'createdAt', 'id', 'parts', 'prompt', 'templateId', 'title']);
    const row = await ctx.app.prisma.variant.findUniqueOrThrow({ where: { id: body.id } });
    assertNoSecrets(res.body, row);
  });

  it("shows each numeric part's tolerance, in numbers and words, derived from the stored part on every read", async () => {
    const issued = await issue(student);
    const parts = issued.json<{ parts: Record<string, unknown>[] }>().parts;
    expect(parts[0]).toMatchObject({
      id: 'loss',
      type: 'number',
      tolerance: { mode: 'relative', rtol: 0.01, atol: 0.005 },
      toleranceText: 'within 1 % of the exact value, or within 0.005 of it',
    });
    const id = issued.json<{ id: string }>().id;
    const read = await ctx.app.inject({ method: 'GET', url: `/api/v1/variants/${id}`, headers: student.auth });
    expect(read.json<{ parts: unknown[] }>().parts).toEqual(parts);
    // What the variant stores (a regrade may change it) is what the student is shown.
    const row = await ctx.app.prisma.variant.findUniqueOrThrow({ where: { id } });
    const stored = (row.parts as { tolerance: unknown }[]).map((p) => ({ ...p, tolerance: { mode: 'sigfigs', digits: 3 } }));
    await ctx.app.prisma.variant.update({ where: { id }, data: { parts: stored } });
    const again = await ctx.app.inject({ method: 'GET', url: `/api/v1/variants/${id}`, headers: student.auth });
    expect(again.json<{ parts: unknown[] }>().parts[0]).toMatchObject({ tolerance: { mode: 'sigfigs', digits: 3 }, toleranceText: 'to 3 significant figures' });
  });

  it('issues by topic', async () => {
    const res = await issue(student, { topic: 'cnn' });
    expect(res.statusCode).toBe(201);
    const t = await ctx.app.prisma.problemTemplate.findUniqueOrThrow({ where: { id: res.json().templateId } });
    expect(t.topic).toBe('cnn');
    expect((await issue(student, { topic: 'astrology' })).statusCode).toBe(404);
    expect((await issue(student, { templateId: 'no-such-template' })).statusCode).toBe(404);
    const both = await issue(student, { templateId: 'x', topic: 'cnn' });
    expect(both.statusCode).toBe(400);
    expect(both.json().message).toMatch(/exactly one of templateId or topic/);
  });

  it('refuses non-members with 404', async () => {
    const outsider = await createUser(ctx.app);
    const res = await issue(outsider);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    // Nothing was written for the outsider, also not for a course that does not exist.
    const nowhere = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/courses/00000000-0000-4000-8000-000000000000/practice',
      headers: student.auth,
      payload: { templateId: 'svm-loss-notes-example' },
    });
    expect(nowhere.statusCode).toBe(404);
    expect(await ctx.app.prisma.variant.count({ where: { userId: outsider.id } })).toBe(0);
  });

  it('grades a submission, then releases answers and solution', async () => {
    const v = (await issue(student)).json();
    const answers = await rightAnswers(v.id);
    const before = await ctx.app.inject({ method: 'GET', url: `/api/v1/variants/${v.id}`, headers: student.auth });
    expect(before.json().submission).toBeNull();
    assertNoSecrets(before.body, await ctx.app.prisma.variant.findUniqueOrThrow({ where: { id: v.id } }));
    const res = await submit(student, v.id, answers);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.score).toBe(1);
    expect(body.parts.every((p: { status: string }) => p.status === 'correct')).toBe(true);
    expect(Object.keys(body.correctAnswers).sort()).toEqual(Object.keys(answers).sort());
    expect(body.solution.length).toBeGreaterThan(0);
    const after = await ctx.app.inject({ method: 'GET', url: `/api/v1/variants/${v.id}`, headers: student.auth });
    expect(after.json().submission.score).toBe(1);
    const again = await submit(student, v.id, answers);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ALREADY_SUBMITTED');
  });

  it('scores wrong answers with per-part feedback', async () => {
    const v = (await issue(student)).json();
    const answers = Object.fromEntries(Object.keys(await rightAnswers(v.id)).map((k) => [k, '123456']));
    const res = await submit(student, v.id, answers);
    expect(res.statusCode).toBe(201);
    expect(res.json().score).toBe(0);
    expect(res.json().parts[0].feedback).toMatch(/Incorrect/);
  });

  it("hides another student's variant behind 404, and lets course staff read it with answers", async () => {
    const v = (await issue(student)).json();
    const peek = await ctx.app.inject({ method: 'GET', url: `/api/v1/variants/${v.id}`, headers: other.auth });
    expect(peek.statusCode).toBe(404);
    const steal = await submit(other, v.id, await rightAnswers(v.id));
    expect(steal.statusCode).toBe(404);
    const staff = await ctx.app.inject({ method: 'GET', url: `/api/v1/variants/${v.id}`, headers: ta.auth });
    expect(staff.statusCode).toBe(200);
    expect(staff.json().correctAnswers).toBeDefined();
    expect(await ctx.app.prisma.submission.count({ where: { variantId: v.id } })).toBe(0);
  });

  it('lists my history with scores', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/courses/${course.id}/practice/history?pageSize=2`, headers: student.auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items).toHaveLength(2);
    expect(body.total).toBeGreaterThanOrEqual(4);
    expect(body.items[0]).toHaveProperty('score');
    const mine = await ctx.app.prisma.variant.count({ where: { userId: student.id, courseId: course.id } });
    expect(body.total).toBe(mine);
    const theirs = await ctx.app.inject({ method: 'GET', url: `/api/v1/courses/${course.id}/practice/history`, headers: other.auth });
    expect(theirs.json().total).toBe(0);
  });
});

describe('idempotent submissions', () => {
  it('returns the first result for a retry with the same key and stores one row', async () => {
    const v = (await issue(student)).json();
    const answers = await rightAnswers(v.id);
    const first = await submit(student, v.id, answers, 'key-retry-1');
    const second = await submit(student, v.id, answers, 'key-retry-1');
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    expect(await ctx.app.prisma.submission.count({ where: { variantId: v.id } })).toBe(1);
  });

  it('refuses the same key with a different body (422)', async () => {
    const v = (await issue(student)).json();
    const answers = await rightAnswers(v.id);
    await submit(student, v.id, answers, 'key-reuse-1');
    const changed = Object.fromEntries(Object.keys(answers).map((k) => [k, '1']));
    const res = await submit(student, v.id, changed, 'key-reuse-1');
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await ctx.app.prisma.submission.count({ where: { variantId: v.id } })).toBe(1);
  });

  it('stores one row for concurrent duplicates, with or without a key', async () => {
    const v = (await issue(student)).json();
    const answers = await rightAnswers(v.id);
    const same = await Promise.all(Array.from({ length: 8 }, () => submit(student, v.id, answers, 'key-race-1')));
    expect(same.every((r) => r.statusCode === 200 || r.statusCode === 201)).toBe(true);
    expect(new Set(same.map((r) => r.json().submissionId)).size).toBe(1);
    expect(await ctx.app.prisma.submission.count({ where: { variantId: v.id } })).toBe(1);

    const w = (await issue(student)).json();
    const racing = await Promise.all(Array.from({ length: 8 }, () => submit(student, w.id, answers)));
    expect(racing.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(racing.filter((r) => r.statusCode !== 201).every((r) => r.statusCode === 409)).toBe(true);
    expect(await ctx.app.prisma.submission.count({ where: { variantId: w.id } })).toBe(1);
  });
});

describe('bad input stores nothing', () => {
  let variantId: string;
  let partId: string;
  beforeAll(async () => {
    const v = (await issue(student)).json();
    variantId = v.id;
    partId = v.parts[0].id;
  });

  const cases: [string, () => Promise<{ statusCode: number; json(): { code: string; message: string } }>, number, RegExp][] = [
    [
      'malformed JSON',
      () =>
        ctx.app.inject({
          method: 'POST',
          url: `/api/v1/variants/${variantId}/submissions`,
          headers: { ...student.auth, 'content-type': 'application/json' },
          payload: '{"answers": {',
        }),
      400,
      /JSON/i,
    ],
    ['a wrong type', () => submit(student, variantId, 'not-an-object'), 400, /body\.answers/],
    [
      'an unknown field',
      () => ctx.app.inject({ method: 'POST', url: `/api/v1/variants/${variantId}/submissions`, headers: student.auth, payload: { answers: {}, extra: 1 } }),
      400,
      /extra|Unrecognized/i,
    ],
    ['NaN as an answer', () => submit(student, variantId, { [partId]: 'NaN' }), 422, /could not read/],
    ['Infinity as an answer', () => submit(student, variantId, { [partId]: 'Infinity' }), 422, /could not read/],
    ['code as an answer', () => submit(student, variantId, { [partId]: 'process.exit(1)' }), 422, /could not read/],
    ['a huge string', () => submit(student, variantId, { [partId]: 'x'.repeat(30_000) }), 400, /body\.answers/],
    ['a bad idempotency key', () => submit(student, variantId, { [partId]: '1' }, 'bad key with spaces'), 400, /idempotency-key/],
    ['a non-UUID id', () => submit(student, 'not-a-uuid', { [partId]: '1' }), 400, /params\.variantId/],
    [
      'an oversized body',
      () =>
        ctx.app.inject({
          method: 'POST',
          url: `/api/v1/variants/${variantId}/submissions`,
          headers: student.auth,
          payload: { answers: { [partId]: 'y'.repeat(400_000) } },
        }),
      413,
      /too large|exceed/i,
    ],
  ];

  it.each(cases)('%s → clear 4xx', async (_name, send, status, message) => {
    const res = await send();
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(body).toMatchObject({ statusCode: status });
    expect(typeof body.code).toBe('string');
    expect(body.message).toMatch(message);
    expect(await ctx.app.prisma.submission.count({ where: { variantId } })).toBe(0);
  });
});
