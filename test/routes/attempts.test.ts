import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correctSubmission } from '../../src/authoring/submissions.js';
import { sweepExpired } from '../../src/exams/finish.js';
import { toJson } from '../../src/db/json.js';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { onPostgres } from '../helpers/db.js';
import { createCourse, createUser, setupApp, testConfig, type TestContext, type TestUser } from '../helpers/app.js';

let ctx: TestContext;
let ta: TestUser;
let course: { id: string };
const T0 = new Date('2026-03-02T09:00:00Z');

beforeAll(async () => {
  ctx = await setupApp();
  ctx.clock.now = T0;
  ta = await createUser(ctx.app);
  course = await createCourse(ctx.app, [[ta, 'TA']]);
});
afterAll(async () => ctx?.close());

async function student(): Promise<TestUser> {
  const u = await createUser(ctx.app);
  await ctx.app.prisma.membership.create({ data: { userId: u.id, courseId: course.id, role: 'STUDENT' } });
  return u;
}

/** A published exam of `n` questions from fixed templates, with the given policies. */
async function exam(policies: Record<string, unknown> = {}, n = 2, status: 'PUBLISHED' | 'DRAFT' = 'PUBLISHED') {
  const templates = ['conv-output-size', 'pool-output-size', 'conv-parameter-count', 'xavier-init-scale'].slice(0, Math.max(n, 2));
  return ctx.app.prisma.exam.create({
    data: {
      courseId: course.id,
      title: 'Midterm',
      status,
      blueprint: toJson({ sections: [{ count: n, points: 10, pool: { templates } }], policies }),
    },
  });
}

const start = (u: TestUser, examId: string) => ctx.app.inject({ method: 'POST', url: `/api/v1/exams/${examId}/attempts`, headers: u.auth });
const read = (u: TestUser, id: string) => ctx.app.inject({ method: 'GET', url: `/api/v1/attempts/${id}`, headers: u.auth });
const save = (u: TestUser, id: string, pos: number, answers: unknown) =>
  ctx.app.inject({ method: 'PUT', url: `/api/v1/attempts/${id}/questions/${pos}/answers`, headers: u.auth, payload: { answers } });
const submit = (u: TestUser, id: string, pos: number, answers: unknown, key?: string) =>
  ctx.app.inject({
    method: 'POST',
    url: `/api/v1/attempts/${id}/questions/${pos}/submissions`,
    headers: { ...u.auth, ...(key ? { 'idempotency-key': key } : {}) },
    payload: { answers },
  });
const mine = async (u: TestUser, examId: string) =>
  (await ctx.app.inject({ method: 'GET', url: `/api/v1/exams/${examId}/my-attempts`, headers: u.auth })).json();
const finish = (u: TestUser, id: string) => ctx.app.inject({ method: 'POST', url: `/api/v1/attempts/${id}/finish`, headers: u.auth });

/** The current variant's correct answers, read from the database as a test oracle. */
async function right(attemptId: string, position: number) {
  const q = await ctx.app.prisma.attemptQuestion.findFirstOrThrow({
    where: { attemptId, position },
    include: { variants: { orderBy: { createdAt: 'desc' }, take: 1 } },
  });
  const v = q.variants[0];
  return correctSubmission({ secret: { answers: v.answers, parts: v.parts } } as never);
}
async function wrong(attemptId: string, position: number) {
  return Object.fromEntries(Object.keys(await right(attemptId, position)).map((k) => [k, '987654']));
}

/** No key anywhere in the JSON names a secret unless allowed. */
function secretKeys(raw: string): string[] {
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (['correctAnswers', 'solution', 'answers', 'params', 'seed'].includes(k)) found.add(k);
        walk(x);
      }
  };
  walk(JSON.parse(raw));
  return [...found];
}

describe('starting', () => {
  it('issues all questions at once, sets the deadline from the server clock, leaks nothing', async () => {
    const u = await student();
    const e = await exam({ timeLimitMinutes: 30, closesAt: new Date(T0.getTime() + 20 * 60_000).toISOString() });
    const res = await start(u, e.id);
    expect(res.statusCode).toBe(201);
    const a = res.json();
    expect(a.questions).toHaveLength(2);
    expect(new Set(a.questions.map((q: { templateId: string }) => q.templateId)).size).toBe(2);
    // Earlier of start + 30 min and the close 20 min after start.
    expect(a.deadline).toBe(new Date(T0.getTime() + 20 * 60_000).toISOString());
    expect(secretKeys(res.body)).toEqual([]);
    expect(await ctx.app.prisma.variant.count({ where: { attemptQuestion: { attemptId: a.id } } })).toBe(2);
    // The start response is built from what was written: reading the attempt back gives the same JSON.
    expect((await read(u, a.id)).json()).toEqual(a);
    expect((await start(u, e.id)).json()).toEqual(a);
  });

  it("shows numeric parts' tolerances, not integer parts' (compared exactly)", async () => {
    const e = await ctx.app.prisma.exam.create({
      data: {
        courseId: course.id,
        title: 'Tolerances',
        status: 'PUBLISHED',
        blueprint: toJson({ sections: [{ count: 2, points: 10, pool: { templates: ['xavier-init-scale', 'conv-output-size'] } }] }),
      },
    });
    const u = await student();
    const started = await start(u, e.id);
    expect(started.statusCode).toBe(201);
    type Q = { templateId: string; parts: { type: string; tolerance?: unknown; toleranceText?: string }[] };
    for (const res of [started, await read(u, started.json<{ id: string }>().id)]) {
      const qs = res.json<{ questions: Q[] }>().questions;
      const xavier = qs.find((q) => q.templateId === 'xavier-init-scale');
      const conv = qs.find((q) => q.templateId === 'conv-output-size');
      for (const p of xavier?.parts ?? []) {
        expect(p).toMatchObject({ type: 'number', tolerance: { mode: 'relative', rtol: 0.01, atol: 1e-6 }, toleranceText: 'within 1 % of the exact value' });
      }
      expect(xavier?.parts.length).toBeGreaterThan(0);
      for (const p of conv?.parts ?? []) {
        expect(p.type).toBe('integer');
        expect(p).not.toHaveProperty('tolerance');
        expect(p).not.toHaveProperty('toleranceText');
      }
      expect(conv?.parts.length).toBeGreaterThan(0);
    }
  });

  it('returns the open attempt on a second start, also for racing tabs', async () => {
    const u = await student();
    const e = await exam();
    const all = await Promise.all([1, 2, 3, 4].map(() => start(u, e.id)));
    expect(all.every((r) => r.statusCode === 200 || r.statusCode === 201)).toBe(true);
    expect(new Set(all.map((r) => r.json().id)).size).toBe(1);
    expect(await ctx.app.prisma.attempt.count({ where: { examId: e.id, userId: u.id } })).toBe(1);
    expect((await start(u, e.id)).statusCode).toBe(200);
  });

  it('respects opening, closing, attempt limits and overrides', async () => {
    const u = await student();
    const e = await exam({
      opensAt: new Date(T0.getTime() + 3600_000).toISOString(),
      closesAt: new Date(T0.getTime() + 7200_000).toISOString(),
      maxAttempts: 1,
    });
    expect((await start(u, e.id)).json().code).toBe('EXAM_NOT_OPEN');
    ctx.clock.now = new Date(T0.getTime() + 7200_000);
    expect((await start(u, e.id)).json().code).toBe('EXAM_CLOSED');
    expect(await mine(u, e.id)).toMatchObject({ window: { maxAttempts: 1, closesAt: new Date(T0.getTime() + 7200_000).toISOString() }, attemptsLeft: 1 });
    await ctx.app.prisma.examOverride.create({ data: { examId: e.id, userId: u.id, closesAt: new Date(T0.getTime() + 9000_000), extraAttempts: 1 } });
    // What the student is shown is what the start enforces: the override's close and attempts.
    expect(await mine(u, e.id)).toMatchObject({ window: { maxAttempts: 2, closesAt: new Date(T0.getTime() + 9000_000).toISOString() }, attemptsLeft: 2 });
    const first = await start(u, e.id);
    expect(first.statusCode).toBe(201);
    expect((await mine(u, e.id)).attemptsLeft).toBe(1);
    await finish(u, first.json().id);
    const second = await start(u, e.id);
    expect(second.statusCode).toBe(201);
    await finish(u, second.json().id);
    expect((await mine(u, e.id)).attemptsLeft).toBe(0);
    const third = await start(u, e.id);
    expect(third.statusCode).toBe(409);
    expect(third.json().code).toBe('ATTEMPTS_EXHAUSTED');
    ctx.clock.now = T0;
  });

  it('hides drafts and refuses non-members', async () => {
    const u = await student();
    const draft = await exam({}, 2, 'DRAFT');
    expect((await start(u, draft.id)).statusCode).toBe(404);
    const outsider = await createUser(ctx.app);
    expect((await start(outsider, (await exam()).id)).statusCode).toBe(404);
  });
});

describe('tries', () => {
  it('applies the tries schedule; points never go down; tries run out', async () => {
    const u = await student();
    const e = await exam({ triesPerQuestion: 3, triesSchedule: [10, 7, 5] });
    const a = (await start(u, e.id)).json();
    const t1 = await submit(u, a.id, 1, await wrong(a.id, 1));
    expect(t1.statusCode).toBe(201);
    expect(t1.json()).toMatchObject({ tryNumber: 1, score: 0, earned: 0, triesLeft: 2 });
    const t2 = await submit(u, a.id, 1, await right(a.id, 1));
    // Solved: no tries left, whatever the count says.
    expect(t2.json()).toMatchObject({ tryNumber: 2, score: 1, points: 7, earned: 7, triesLeft: 0 });
    expect((await submit(u, a.id, 1, await wrong(a.id, 1))).json().code).toBe('ALREADY_CORRECT');
    // Question 2: three wrong tries use it up.
    for (let i = 0; i < 3; i++) await submit(u, a.id, 2, Object.fromEntries(Object.keys(await wrong(a.id, 2)).map((k) => [k, String(987650 + i)])));
    const none = await submit(u, a.id, 2, await right(a.id, 2));
    expect(none.statusCode).toBe(409);
    expect(none.json().code).toBe('NO_TRIES_LEFT');
    const view = (await read(u, a.id)).json();
    expect(view.points).toBe(7);
    expect(view.questions[0].earned).toBe(7);
  });

  it('counts a double-clicked or retried try once', async () => {
    const u = await student();
    const e = await exam({ triesPerQuestion: 3 });
    const a = (await start(u, e.id)).json();
    const answers = await wrong(a.id, 1);
    const clicks = await Promise.all([1, 2, 3, 4, 5].map(() => submit(u, a.id, 1, answers)));
    expect(clicks.every((r) => r.statusCode === 200 || r.statusCode === 201)).toBe(true);
    const answers2 = await wrong(a.id, 2);
    const keyed = await Promise.all([1, 2, 3].map(() => submit(u, a.id, 2, answers2, 'try-key-1')));
    expect(new Set(keyed.map((r) => r.json().submissionId)).size).toBe(1);
    const qs = await ctx.app.prisma.attemptQuestion.findMany({ where: { attemptId: a.id }, orderBy: { position: 'asc' } });
    expect(qs.map((q) => q.triesUsed)).toEqual([1, 1]);
    expect(await ctx.app.prisma.submission.count({ where: { attemptQuestion: { attemptId: a.id } } })).toBe(2);
  });

  it('counts different tries sent at once from two tabs one after the other, and refuses a reused key', async () => {
    const u = await student();
    const e = await exam({ triesPerQuestion: 5, triesSchedule: [10, 8, 6, 4, 2] });
    const a = (await start(u, e.id)).json();
    const base = await wrong(a.id, 1);
    const keys = Object.keys(base);
    // Four different wrong answers at the same moment: four tries, numbered 1..4, none lost.
    const sent = await Promise.all([1, 2, 3, 4].map((i) => submit(u, a.id, 1, { ...base, [keys[0]]: String(900000 + i) })));
    expect(sent.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
    expect(sent.map((r) => r.json().tryNumber).sort()).toEqual([1, 2, 3, 4]);
    const rows = await ctx.app.prisma.submission.findMany({ where: { attemptQuestion: { attemptId: a.id, position: 1 } }, orderBy: { tryNumber: 'asc' } });
    expect(rows.map((s) => s.tryNumber)).toEqual([1, 2, 3, 4]);
    // The fifth try is right: the schedule's fifth value.
    const last = await submit(u, a.id, 1, await right(a.id, 1));
    expect(last.json()).toMatchObject({ tryNumber: 5, score: 1, points: 2, earned: 2, triesLeft: 0 });
    // A key already used for question 1 cannot be reused for question 2: 422, nothing stored.
    const reused = await submit(u, a.id, 2, await right(a.id, 2), 'tab-key');
    expect(reused.statusCode).toBe(201);
    const again = await submit(u, a.id, 2, await wrong(a.id, 2), 'tab-key');
    expect(again.statusCode).toBe(422);
    expect(again.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    const q2 = await ctx.app.prisma.attemptQuestion.findFirstOrThrow({ where: { attemptId: a.id, position: 2 } });
    expect(q2.triesUsed).toBe(1);
    const att = await ctx.app.prisma.attempt.findUniqueOrThrow({ where: { id: a.id } });
    expect(att.points).toBe(12);
  });

  it('refuses unreadable answers without counting a try, and records them for the statistics', async () => {
    const u = await student();
    const a = (await start(u, (await exam({ triesPerQuestion: 2 })).id)).json();
    const key = Object.keys(await right(a.id, 1))[0];
    const res = await submit(u, a.id, 1, { [key]: 'NaN' });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('ANSWER_FORMAT');
    const q = await ctx.app.prisma.attemptQuestion.findFirstOrThrow({ where: { attemptId: a.id, position: 1 } });
    expect(q.triesUsed).toBe(0);
    expect(await ctx.app.prisma.formatError.findMany({ where: { attemptQuestionId: q.id }, select: { userId: true, parts: true } })).toEqual([
      { userId: u.id, parts: [key] },
    ]);
    expect(await ctx.app.prisma.submission.count({ where: { attemptQuestionId: q.id } })).toBe(0);
  });

  it('gives a fresh variant after a wrong try when the policy says so', async () => {
    const u = await student();
    const a = (await start(u, (await exam({ triesPerQuestion: 2, newVariantOnRetry: true })).id)).json();
    const res = await submit(u, a.id, 1, await wrong(a.id, 1));
    expect(res.json().newVariant).toBe(true);
    expect(await ctx.app.prisma.variant.count({ where: { attemptQuestion: { attemptId: a.id, position: 1 } } })).toBe(2);
    // The right answer to the new variant earns the second try's credit.
    expect((await submit(u, a.id, 1, await right(a.id, 1))).json()).toMatchObject({ tryNumber: 2, score: 1 });
  });

  it("hides another student's attempt behind 404 and shows it to staff", async () => {
    const u = await student();
    const other = await student();
    const a = (await start(u, (await exam()).id)).json();
    expect((await read(other, a.id)).statusCode).toBe(404);
    expect((await submit(other, a.id, 1, await right(a.id, 1))).statusCode).toBe(404);
    expect((await save(other, a.id, 1, { x: '1' })).statusCode).toBe(404);
    expect((await finish(other, a.id)).statusCode).toBe(404);
    const staff = await read(ta, a.id);
    expect(staff.statusCode).toBe(200);
    expect(staff.json().questions[0].correctAnswers).toBeDefined();
  });
});

describe('release policies', () => {
  async function run(release: string, extra: Record<string, unknown> = {}) {
    const u = await student();
    const a = (await start(u, (await exam({ release, ...extra })).id)).json();
    const t = await submit(u, a.id, 1, await right(a.id, 1));
    const during = await read(u, a.id);
    const done = await finish(u, a.id);
    return { u, a, t, during, done };
  }

  it('immediately: answers come with the try that ends the question', async () => {
    const { t, during } = await run('immediately');
    expect(t.json().correctAnswers).toBeDefined();
    expect(during.json().questions[0].solution).toBeDefined();
    expect(during.json().questions[1].solution).toBeUndefined();
  });

  it('after-attempt: nothing until the attempt is finished', async () => {
    const { t, during, done } = await run('after-attempt');
    expect(secretKeys(t.body)).toEqual([]);
    expect(secretKeys(during.body)).toEqual([]);
    expect(done.json().questions[0].correctAnswers).toBeDefined();
  });

  it('after-close: nothing until the exam closes', async () => {
    const closesAt = new Date(T0.getTime() + 3600_000);
    const { u, a, done } = await run('after-close', { closesAt: closesAt.toISOString() });
    expect(secretKeys(done.body)).toEqual([]);
    ctx.clock.now = new Date(closesAt.getTime() + 1);
    expect((await read(u, a.id)).json().questions[0].correctAnswers).toBeDefined();
    ctx.clock.now = T0;
  });

  it('never: not even after finishing', async () => {
    const { t, done } = await run('never');
    expect(secretKeys(t.body)).toEqual([]);
    expect(secretKeys(done.body)).toEqual([]);
    expect(done.json().points).toBe(10);
  });

  it('graded at finish: no scores during the attempt, saved answers graded at the end', async () => {
    const u = await student();
    const a = (await start(u, (await exam({ gradeDuringAttempt: false })).id)).json();
    expect((await submit(u, a.id, 1, await right(a.id, 1))).json().code).toBe('GRADED_AT_FINISH');
    expect((await save(u, a.id, 1, await right(a.id, 1))).statusCode).toBe(200);
    const during = (await read(u, a.id)).json();
    expect(during.points).toBeUndefined();
    expect(during.questions[0].earned).toBeUndefined();
    const done = (await finish(u, a.id)).json();
    expect(done.points).toBe(10);
  });

  it('graded at finish by a process that has not loaded the template versions yet (after a restart)', async () => {
    const u = await student();
    const a = (await start(u, (await exam({ gradeDuringAttempt: false })).id)).json();
    expect((await save(u, a.id, 1, await right(a.id, 1))).statusCode).toBe(200);
    expect((await save(u, a.id, 2, await wrong(a.id, 2))).statusCode).toBe(200);
    // A second app on the same database: its template-version cache is empty.
    const restarted = await buildApp({ config: testConfig(), db: ctx.tdb.db, clock: () => new Date(ctx.clock.now.getTime()), logger: false });
    try {
      const done = await restarted.inject({ method: 'POST', url: `/api/v1/attempts/${a.id}/finish`, headers: u.auth });
      expect(done.statusCode).toBe(200);
      expect(done.json()).toMatchObject({ status: 'FINISHED', points: 10 });
      expect(await ctx.app.prisma.submission.count({ where: { attemptQuestion: { attemptId: a.id } } })).toBe(2);
    } finally {
      await restarted.close();
    }
  });
});

describe('work racing a finish', () => {
  // A finish in progress holds the attempt row (FOR UPDATE) from its first statement to its
  // commit; a save arriving meanwhile must not land after the finish read the saved answers.

  /** Sends a request while another connection holds the attempt as a finish does; checks it waits, then finishes the attempt and returns the request's response. */
  async function duringFinish(attemptId: string, send: () => Promise<import('light-my-request').Response>) {
    const other = new pg.Client({ connectionString: ctx.tdb.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT id FROM "Attempt" WHERE id = $1 FOR UPDATE', [attemptId]);
      let settled = false;
      const late = send().finally(() => (settled = true));
      await new Promise((ok) => setTimeout(ok, 300));
      expect(settled).toBe(false);
      await other.query(`UPDATE "Attempt" SET status = 'FINISHED', "finishedAt" = now(), "finishedBy" = 'student' WHERE id = $1`, [attemptId]);
      await other.query('COMMIT');
      return await late;
    } finally {
      await other.end();
    }
  }
  it.runIf(onPostgres)('waits for the finish and is refused, leaving what the finish graded', async () => {
    const u = await student();
    const a = (await start(u, (await exam({ gradeDuringAttempt: false })).id)).json();
    const first = await right(a.id, 1);
    expect((await save(u, a.id, 1, first)).statusCode).toBe(200);
    const lateAnswers = await wrong(a.id, 1);
    const res = await duringFinish(a.id, () => save(u, a.id, 1, lateAnswers));
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('ATTEMPT_FINISHED');
    const q = await ctx.app.prisma.attemptQuestion.findFirstOrThrow({ where: { attemptId: a.id, position: 1 } });
    expect(q.savedAnswers).toEqual(first);
  });

  it.runIf(onPostgres)('a graded try waits for the finish too, and then stores nothing', async () => {
    const u = await student();
    const a = (await start(u, (await exam()).id)).json();
    const answers = await right(a.id, 1);
    const res = await duringFinish(a.id, () => submit(u, a.id, 1, answers));
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('ATTEMPT_FINISHED');
    expect(await ctx.app.prisma.submission.count({ where: { attemptQuestion: { attemptId: a.id } } })).toBe(0);
    const q = await ctx.app.prisma.attemptQuestion.findFirstOrThrow({ where: { attemptId: a.id, position: 1 } });
    expect(q.triesUsed).toBe(0);
  });
});

describe('deadlines', () => {
  it('refuses work after the deadline, stores nothing, and grades what was saved', async () => {
    const u = await student();
    const a = (await start(u, (await exam({ timeLimitMinutes: 10 })).id)).json();
    const good = await right(a.id, 1);
    expect((await save(u, a.id, 1, good)).statusCode).toBe(200);
    ctx.clock.now = new Date(T0.getTime() + 10 * 60_000 + 1);
    const late = await save(u, a.id, 2, await right(a.id, 2));
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('DEADLINE_PASSED');
    const lateTry = await submit(u, a.id, 1, await wrong(a.id, 1));
    expect(lateTry.statusCode).toBe(409);
    const q2 = await ctx.app.prisma.attemptQuestion.findFirstOrThrow({ where: { attemptId: a.id, position: 2 } });
    expect(q2.savedAnswers).toBeNull();
    const row = await ctx.app.prisma.attempt.findUniqueOrThrow({ where: { id: a.id } });
    expect(row).toMatchObject({ status: 'FINISHED', finishedBy: 'deadline', points: 10 });
    expect(row.finishedAt?.toISOString()).toBe(new Date(T0.getTime() + 10 * 60_000).toISOString());
    ctx.clock.now = T0;
  });

  it('are enforced by the periodic sweep too', async () => {
    const u = await student();
    const a = (await start(u, (await exam({ timeLimitMinutes: 5 })).id)).json();
    await save(u, a.id, 2, await right(a.id, 2));
    ctx.clock.now = new Date(T0.getTime() + 6 * 60_000);
    expect(await sweepExpired(ctx.app)).toBeGreaterThanOrEqual(1);
    const row = await ctx.app.prisma.attempt.findUniqueOrThrow({ where: { id: a.id } });
    expect(row).toMatchObject({ status: 'FINISHED', finishedBy: 'deadline', points: 10 });
    ctx.clock.now = T0;
  });
});
