import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify as stringifyYaml } from 'yaml';
import { correctSubmission } from '../../src/authoring/submissions.js';
import { upsertTemplate } from '../../src/catalogue/sync.js';
import { compileTemplate, type TemplateInput } from '../../src/engine/index.js';
import { toJson } from '../../src/db/json.js';
import { authorizeExam, userPrincipal } from '../../src/authz/index.js';
import { rosterScores } from '../../src/exams/scores.js';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

let ctx: TestContext;
let instructor: TestUser;
let ta: TestUser;
let outsider: TestUser;
let course: { id: string };
const T0 = new Date('2026-03-02T09:00:00Z');
const INTEGER_TEMPLATES = ['conv-output-size', 'pool-output-size'];

beforeAll(async () => {
  ctx = await setupApp();
  ctx.clock.now = T0;
  instructor = await createUser(ctx.app, { name: 'Ines Instructor' });
  ta = await createUser(ctx.app, { name: 'Tom TA' });
  outsider = await createUser(ctx.app);
  course = await createCourse(ctx.app, [
    [instructor, 'INSTRUCTOR'],
    [ta, 'TA'],
  ]);
});
afterAll(async () => ctx?.close());

async function student(name = 'Sam Student'): Promise<TestUser> {
  const u = await createUser(ctx.app, { name });
  await ctx.app.prisma.membership.create({ data: { userId: u.id, courseId: course.id, role: 'STUDENT' } });
  return u;
}

/** A published exam: one section of `templates.length` questions worth `points` each. */
async function exam(policies: Record<string, unknown> = {}, templates = INTEGER_TEMPLATES, points = 10) {
  return ctx.app.prisma.exam.create({
    data: {
      courseId: course.id,
      title: 'Midterm',
      status: 'PUBLISHED',
      blueprint: toJson({ sections: [{ count: templates.length, points, pool: { templates } }], policies }),
    },
  });
}

const api = (u: TestUser, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers: u.auth, ...(payload === undefined ? {} : { payload: payload as object }) });
const start = async (u: TestUser, examId: string): Promise<string> => {
  const res = await api(u, 'POST', `/exams/${examId}/attempts`);
  expect(res.statusCode).toBe(201);
  return res.json().id as string;
};
const submit = (u: TestUser, attemptId: string, pos: number, answers: unknown) =>
  api(u, 'POST', `/attempts/${attemptId}/questions/${pos}/submissions`, { answers });
const finish = async (u: TestUser, attemptId: string) => expect((await api(u, 'POST', `/attempts/${attemptId}/finish`)).statusCode).toBe(200);
const override = (u: TestUser, attemptId: string, pos: number, points: number | null, reason = 'regraded by hand') =>
  api(u, 'POST', `/attempts/${attemptId}/questions/${pos}/override`, { points, reason });
const regrade = (u: TestUser, examId: string, body: Record<string, unknown>) => api(u, 'POST', `/exams/${examId}/regrade`, body);

/** The current variant of a question, read from the database as a test oracle. */
async function variantOf(attemptId: string, position: number) {
  const q = await ctx.app.prisma.attemptQuestion.findFirstOrThrow({
    where: { attemptId, position },
    include: { variants: { orderBy: { createdAt: 'desc' }, take: 1 } },
  });
  return q.variants[0];
}
async function right(attemptId: string, position: number): Promise<Record<string, string>> {
  const v = await variantOf(attemptId, position);
  return correctSubmission({ secret: { answers: v.answers, parts: v.parts } } as never) as Record<string, string>;
}
async function wrong(attemptId: string, position: number) {
  return Object.fromEntries(Object.keys(await right(attemptId, position)).map((k) => [k, '987654']));
}

/** Starts an attempt, answers question i right or wrong as told, finishes it. */
async function take(u: TestUser, examId: string, plan: ('right' | 'wrong')[]): Promise<string> {
  const id = await start(u, examId);
  for (const [i, how] of plan.entries()) {
    const res = await submit(u, id, i + 1, how === 'right' ? await right(id, i + 1) : await wrong(id, i + 1));
    expect(res.statusCode).toBe(201);
  }
  await finish(u, id);
  return id;
}

describe('GET /exams/:examId/attempts', () => {
  it('lists attempts with points and percent, filtered by status and student, paginated', async () => {
    const e = await exam({ maxAttempts: 3 });
    const ann = await student('Ann');
    const bob = await student('Bob');
    const a1 = await take(ann, e.id, ['right', 'wrong']);
    const a2 = await take(ann, e.id, ['right', 'right']);
    const b1 = await start(bob, e.id);

    const all = await api(ta, 'GET', `/exams/${e.id}/attempts`);
    expect(all.statusCode).toBe(200);
    expect(all.json()).toMatchObject({ page: 1, pageSize: 20, total: 3 });
    const byId = new Map(all.json().items.map((a: { id: string }) => [a.id, a]));
    expect(byId.get(a1)).toMatchObject({
      userId: ann.id,
      email: ann.email,
      name: 'Ann',
      number: 1,
      status: 'FINISHED',
      finishedBy: 'student',
      points: 10,
      maxPoints: 20,
      percent: 50,
    });
    expect(byId.get(a2)).toMatchObject({ number: 2, points: 20, percent: 100 });
    expect(byId.get(b1)).toMatchObject({ userId: bob.id, status: 'OPEN', finishedAt: null, points: 0, percent: 0 });

    const finished = (await api(ta, 'GET', `/exams/${e.id}/attempts?status=FINISHED`)).json();
    expect(finished.total).toBe(2);
    expect(finished.items.map((a: { id: string }) => a.id).sort()).toEqual([a1, a2].sort());
    const bobs = (await api(instructor, 'GET', `/exams/${e.id}/attempts?userId=${bob.id}`)).json();
    expect(bobs.items.map((a: { id: string }) => a.id)).toEqual([b1]);
    const open = (await api(ta, 'GET', `/exams/${e.id}/attempts?status=OPEN&userId=${ann.id}`)).json();
    expect(open).toMatchObject({ total: 0, items: [] });

    const page2 = (await api(ta, 'GET', `/exams/${e.id}/attempts?page=2&pageSize=2`)).json();
    expect(page2).toMatchObject({ page: 2, pageSize: 2, total: 3 });
    expect(page2.items).toHaveLength(1);

    expect((await api(ta, 'GET', `/exams/${e.id}/attempts?status=DONE`)).statusCode).toBe(400);
    expect((await api(ta, 'GET', `/exams/${e.id}/attempts?userId=nope`)).statusCode).toBe(400);
  });

  it('is staff only: a student gets 403 even for their own, a non-member 404', async () => {
    const e = await exam();
    const ann = await student();
    await take(ann, e.id, ['right', 'right']);
    expect((await api(ann, 'GET', `/exams/${e.id}/attempts`)).statusCode).toBe(403);
    expect((await api(ann, 'GET', `/exams/${e.id}/attempts?userId=${ann.id}`)).statusCode).toBe(403);
    expect((await api(outsider, 'GET', `/exams/${e.id}/attempts`)).statusCode).toBe(404);
    expect((await api(ta, 'GET', `/exams/00000000-0000-4000-8000-000000000000/attempts`)).statusCode).toBe(404);
  });

  it('finishes attempts whose deadline passed before listing them', async () => {
    const e = await exam({ timeLimitMinutes: 10 });
    const ann = await student();
    const id = await start(ann, e.id);
    expect((await api(ann, 'POST', `/attempts/${id}/questions/1/submissions`, { answers: await right(id, 1) })).statusCode).toBe(201);
    ctx.clock.now = new Date(T0.getTime() + 11 * 60_000);
    try {
      const [a] = (await api(ta, 'GET', `/exams/${e.id}/attempts`)).json().items;
      expect(a).toMatchObject({ id, status: 'FINISHED', finishedBy: 'deadline', points: 10, finishedAt: new Date(T0.getTime() + 10 * 60_000).toISOString() });
    } finally {
      ctx.clock.now = T0;
    }
  });
});

describe('scores by policy', () => {
  /** Three finished attempts: 10/20, then 20/20, then 0/20. */
  async function threeAttempts(scorePolicy: string) {
    const e = await exam({ maxAttempts: 3, scorePolicy });
    const ann = await student('Ann');
    const ids = [await take(ann, e.id, ['right', 'wrong']), await take(ann, e.id, ['right', 'right']), await take(ann, e.id, ['wrong', 'wrong'])];
    return { e, ann, ids };
  }

  it('best: the highest-scoring finished attempt', async () => {
    const { e, ann, ids } = await threeAttempts('best');
    const res = await api(ta, 'GET', `/exams/${e.id}/scores`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      examId: e.id,
      policy: 'best',
      items: [
        { userId: ann.id, email: ann.email, name: 'Ann', attemptsUsed: 3, attemptsFinished: 3, points: 20, maxPoints: 20, percent: 100, attemptId: ids[1] },
      ],
    });
    const mine = (await api(ann, 'GET', `/exams/${e.id}/my-score`)).json();
    expect(mine).toEqual({
      examId: e.id,
      policy: 'best',
      attemptsUsed: 3,
      attemptsFinished: 3,
      score: { points: 20, maxPoints: 20, percent: 100, attemptId: ids[1] },
    });
  });

  it('latest: the last finished attempt, even when worse', async () => {
    const { e, ann, ids } = await threeAttempts('latest');
    const [item] = (await api(instructor, 'GET', `/exams/${e.id}/scores`)).json().items;
    expect(item).toMatchObject({ userId: ann.id, points: 0, maxPoints: 20, percent: 0, attemptId: ids[2] });
    expect((await api(ann, 'GET', `/exams/${e.id}/my-score`)).json().score).toEqual({ points: 0, maxPoints: 20, percent: 0, attemptId: ids[2] });
  });

  it('average: the mean of the finished attempts; open attempts do not count', async () => {
    const e = await exam({ maxAttempts: 3, scorePolicy: 'average' });
    const ann = await student('Ann');
    await take(ann, e.id, ['right', 'wrong']);
    await take(ann, e.id, ['right', 'right']);
    await start(ann, e.id); // open: used, not counted
    const [item] = (await api(ta, 'GET', `/exams/${e.id}/scores`)).json().items;
    expect(item).toMatchObject({ userId: ann.id, attemptsUsed: 3, attemptsFinished: 2, points: 15, maxPoints: 20, percent: 75, attemptId: null });
    expect((await api(ann, 'GET', `/exams/${e.id}/my-score`)).json()).toMatchObject({
      attemptsUsed: 3,
      attemptsFinished: 2,
      score: { points: 15, percent: 75, attemptId: null },
    });

    const three = await threeAttempts('average');
    const [all] = (await api(ta, 'GET', `/exams/${three.e.id}/scores`)).json().items;
    expect(all).toMatchObject({ userId: three.ann.id, attemptsFinished: 3, points: 10, maxPoints: 20, percent: 50, attemptId: null });
  });

  it('lists only students with a finished attempt; my-score is null before one', async () => {
    const e = await exam({ maxAttempts: 3 });
    const done = await student('Done');
    const busy = await student('Busy');
    await take(done, e.id, ['right', 'wrong']);
    await start(busy, e.id);
    const items = (await api(ta, 'GET', `/exams/${e.id}/scores`)).json().items;
    expect(items.map((i: { userId: string }) => i.userId)).toEqual([done.id]);
    expect((await api(busy, 'GET', `/exams/${e.id}/my-score`)).json()).toEqual({
      examId: e.id,
      policy: 'best',
      attemptsUsed: 1,
      attemptsFinished: 0,
      score: null,
    });
  });

  it("a student cannot read others' scores; non-members learn nothing", async () => {
    const e = await exam();
    const ann = await student();
    await take(ann, e.id, ['right', 'right']);
    const other = await student();
    expect((await api(other, 'GET', `/exams/${e.id}/scores`)).statusCode).toBe(403);
    expect((await api(other, 'GET', `/exams/${e.id}/my-score`)).json().score).toBeNull();
    expect((await api(outsider, 'GET', `/exams/${e.id}/scores`)).statusCode).toBe(404);
    expect((await api(outsider, 'GET', `/exams/${e.id}/my-score`)).statusCode).toBe(404);
  });
});

describe('point overrides', () => {
  it('sets, changes and clears an override with an audit trail; totals follow', async () => {
    const e = await exam();
    const ann = await student();
    const id = await take(ann, e.id, ['right', 'wrong']);

    const first = await override(instructor, id, 2, 6, 'method right, arithmetic slip');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      attemptId: id,
      position: 2,
      maxPoints: 10,
      earned: 0,
      overridePoints: 6,
      points: 6,
      attempt: { points: 16, maxPoints: 20 },
    });
    expect(await ctx.app.prisma.attempt.findUniqueOrThrow({ where: { id } })).toMatchObject({ points: 16 });

    expect((await override(instructor, id, 1, 7.5, 'late penalty')).json()).toMatchObject({
      earned: 10,
      overridePoints: 7.5,
      points: 7.5,
      attempt: { points: 13.5 },
    });
    expect((await override(instructor, id, 2, 8, 'second look')).json().attempt.points).toBe(15.5);
    expect((await override(instructor, id, 2, null, 'back to the grader')).json()).toMatchObject({ overridePoints: null, points: 0, attempt: { points: 7.5 } });
    expect((await api(ta, 'GET', `/exams/${e.id}/scores`)).json().items[0]).toMatchObject({ points: 7.5, percent: 37.5 });
    expect((await api(ann, 'GET', `/attempts/${id}`)).json()).toMatchObject({ points: 7.5 });

    const audit = await api(ta, 'GET', `/attempts/${id}/audit`);
    expect(audit.statusCode).toBe(200);
    const items = audit.json().items as {
      position: number;
      previousPoints: number | null;
      newPoints: number | null;
      reason: string;
      by: { id: string; name: string };
    }[];
    expect(items).toHaveLength(4);
    for (const x of items) expect(x.by).toMatchObject({ id: instructor.id, name: 'Ines Instructor' });
    const q2 = items.filter((x) => x.position === 2).map(({ previousPoints, newPoints, reason }) => ({ previousPoints, newPoints, reason }));
    expect(q2).toEqual(
      expect.arrayContaining([
        { previousPoints: null, newPoints: 6, reason: 'method right, arithmetic slip' },
        { previousPoints: 6, newPoints: 8, reason: 'second look' },
        { previousPoints: 8, newPoints: null, reason: 'back to the grader' },
      ]),
    );
    expect(items.find((x) => x.position === 1)).toMatchObject({ previousPoints: null, newPoints: 7.5, reason: 'late penalty' });
  });

  it('refuses points above the maximum, empty reasons and unknown questions, changing nothing', async () => {
    const e = await exam();
    const ann = await student();
    const id = await take(ann, e.id, ['right', 'wrong']);
    const high = await override(instructor, id, 1, 10.5);
    expect(high.statusCode).toBe(422);
    expect(high.json().code).toBe('POINTS_OUT_OF_RANGE');
    expect((await override(instructor, id, 1, -1)).statusCode).toBe(400);
    expect((await override(instructor, id, 1, 5, '   ')).statusCode).toBe(400);
    expect((await override(instructor, id, 1, 5, 'x'.repeat(501))).statusCode).toBe(400);
    expect((await api(instructor, 'POST', `/attempts/${id}/questions/1/override`, { reason: 'no points' })).statusCode).toBe(400);
    expect((await override(instructor, id, 9, 5)).statusCode).toBe(404);
    expect(await ctx.app.prisma.pointsOverrideAudit.count({ where: { attemptQuestion: { attemptId: id } } })).toBe(0);
    expect(await ctx.app.prisma.attempt.findUniqueOrThrow({ where: { id } })).toMatchObject({ points: 10 });
  });

  it('is for instructors: a TA gets 403, students 403 (own) or 404, outsiders 404', async () => {
    const e = await exam();
    const ann = await student();
    const other = await student();
    const id = await take(ann, e.id, ['right', 'wrong']);
    expect((await override(ta, id, 2, 10)).statusCode).toBe(403);
    expect((await override(ann, id, 2, 10)).statusCode).toBe(403);
    expect((await override(other, id, 2, 10)).statusCode).toBe(404);
    expect((await override(outsider, id, 2, 10)).statusCode).toBe(404);
    expect((await api(ann, 'GET', `/attempts/${id}/audit`)).statusCode).toBe(403);
    expect((await api(other, 'GET', `/attempts/${id}/audit`)).statusCode).toBe(404);
    expect((await api(outsider, 'GET', `/attempts/${id}/audit`)).statusCode).toBe(404);
    expect(await ctx.app.prisma.attempt.findUniqueOrThrow({ where: { id } })).toMatchObject({ points: 10 });
  });
});

describe('regrade', () => {
  /** Every DB value a regrade may change, for before/after comparisons. */
  async function snapshot(examId: string) {
    const attempts = await ctx.app.prisma.attempt.findMany({
      where: { examId },
      orderBy: { id: 'asc' },
      include: {
        questions: { orderBy: { position: 'asc' }, include: { submissions: { orderBy: { tryNumber: 'asc' } }, variants: { orderBy: { createdAt: 'asc' } } } },
      },
    });
    return JSON.parse(JSON.stringify(attempts));
  }

  /** 5 % off the key: wrong under the default 1 % tolerance, right under 10 %. */
  async function nearMiss(attemptId: string) {
    const r = await right(attemptId, 1);
    return { ...r, std: String(Number(r.std) * 1.05) };
  }

  it('a looser tolerance credits near misses: dry run == applied == database; overrides stay; idempotent', async () => {
    const e = await exam({ triesPerQuestion: 2, triesSchedule: [10, 5] }, ['xavier-init-scale']);
    const [ann, bea, cid, dan] = [await student('Ann'), await student('Bea'), await student('Cid'), await student('Dan')];
    // Ann: a near miss on try 1 (half the parts right).
    const a = await start(ann, e.id);
    expect((await submit(ann, a, 1, await nearMiss(a))).json()).toMatchObject({ score: 0.5, points: 5 });
    await finish(ann, a);
    // Bea: the same, then overridden by hand.
    const b = await start(bea, e.id);
    await submit(bea, b, 1, await nearMiss(b));
    await finish(bea, b);
    expect((await override(instructor, b, 1, 7, 'partial credit for the method')).json().attempt.points).toBe(7);
    // Cid: far off. Dan: far off, then a near miss on try 2 (half credit by the schedule).
    const c = await take(cid, e.id, ['wrong']);
    const d = await start(dan, e.id);
    await submit(dan, d, 1, await wrong(d, 1));
    expect((await submit(dan, d, 1, await nearMiss(d))).json()).toMatchObject({ tryNumber: 2, score: 0.5, points: 2.5 });
    await finish(dan, d);

    const before = await snapshot(e.id);
    const spec = { tolerance: { mode: 'relative', rtol: 0.1 } };
    const dry = await regrade(instructor, e.id, spec); // dryRun defaults to true
    expect(dry.statusCode).toBe(200);
    const plan = dry.json();
    expect(plan.dryRun).toBe(true);
    expect(plan.regradeId).toBeNull();
    const byAttempt = Object.fromEntries(plan.changes.map((x: { attemptId: string }) => [x.attemptId, x]));
    expect(Object.keys(byAttempt).sort()).toEqual([a, d].sort());
    expect(byAttempt[a]).toMatchObject({ userId: ann.id, before: 5, after: 10, delta: 5, maxPointsBefore: 10, maxPointsAfter: 10 });
    expect(byAttempt[d]).toMatchObject({ userId: dan.id, before: 2.5, after: 5, delta: 2.5 });
    expect(plan.overridden).toEqual([
      {
        attemptId: b,
        userId: bea.id,
        position: 1,
        templateId: 'xavier-init-scale',
        overridePoints: 7,
        earnedBefore: 5,
        earnedAfter: 10,
        maxPointsBefore: 10,
        maxPointsAfter: 10,
      },
    ]);
    expect(plan.summary).toEqual({ attempts: 4, changed: 2, totalDelta: 7.5, questions: 4, submissions: 5, submissionsChanged: 3, variantsChanged: 4 });
    // A dry run writes nothing.
    expect(await snapshot(e.id)).toEqual(before);
    expect(await ctx.app.prisma.regrade.count({ where: { examId: e.id } })).toBe(0);

    const applied = await regrade(instructor, e.id, { ...spec, dryRun: false });
    expect(applied.statusCode).toBe(200);
    const { regradeId, dryRun, ...rest } = applied.json();
    expect(dryRun).toBe(false);
    expect(rest).toEqual({ changes: plan.changes, overridden: plan.overridden, summary: plan.summary });

    // The database now holds the dry run's "after" values.
    for (const ch of plan.changes) {
      expect(await ctx.app.prisma.attempt.findUniqueOrThrow({ where: { id: ch.attemptId } })).toMatchObject({ points: ch.after, maxPoints: ch.maxPointsAfter });
    }
    const qa = await ctx.app.prisma.attemptQuestion.findFirstOrThrow({ where: { attemptId: a }, include: { submissions: true, variants: true } });
    expect(qa).toMatchObject({ earned: 10, overridePoints: null });
    expect(qa.submissions[0]).toMatchObject({ score: 1, points: 10 });
    expect((qa.submissions[0].results as { status: string }[]).map((p) => p.status)).toEqual(['correct', 'correct']);
    expect((qa.variants[0].parts as { tolerance: unknown }[]).map((p) => p.tolerance)).toEqual([
      { mode: 'relative', rtol: 0.1, atol: 1e-6 },
      { mode: 'relative', rtol: 0.1, atol: 1e-6 },
    ]);
    const qb = await ctx.app.prisma.attemptQuestion.findFirstOrThrow({ where: { attemptId: b } });
    expect(qb).toMatchObject({ earned: 10, overridePoints: 7 });
    expect(await ctx.app.prisma.attempt.findUniqueOrThrow({ where: { id: b } })).toMatchObject({ points: 7 });
    const qd = await ctx.app.prisma.attemptQuestion.findFirstOrThrow({ where: { attemptId: d }, include: { submissions: { orderBy: { tryNumber: 'asc' } } } });
    expect(qd.submissions.map((s) => [s.score, s.points])).toEqual([
      [0, 0],
      [1, 5],
    ]);
    expect(await ctx.app.prisma.attempt.findUniqueOrThrow({ where: { id: c } })).toMatchObject({ points: 0 });
    const row = await ctx.app.prisma.regrade.findUniqueOrThrow({ where: { id: regradeId } });
    expect(row).toMatchObject({ examId: e.id, byUserId: instructor.id, spec: { tolerance: { mode: 'relative', rtol: 0.1, atol: 1e-6 } } });
    expect(row.changes).toEqual(rest);
    // Scores follow.
    const scores = (await api(ta, 'GET', `/exams/${e.id}/scores`)).json().items;
    expect(Object.fromEntries(scores.map((s: { userId: string; points: number }) => [s.userId, s.points]))).toEqual({
      [ann.id]: 10,
      [bea.id]: 7,
      [cid.id]: 0,
      [dan.id]: 5,
    });

    // Applying it again changes nothing.
    const again = (await regrade(instructor, e.id, spec)).json();
    expect(again.changes).toEqual([]);
    expect(again.overridden).toEqual([]);
    expect(again.summary).toMatchObject({ attempts: 4, changed: 0, totalDelta: 0, submissionsChanged: 0, variantsChanged: 0 });
    const settled = await snapshot(e.id);
    const second = (await regrade(instructor, e.id, { ...spec, dryRun: false })).json();
    expect(second.changes).toEqual([]);
    expect(await snapshot(e.id)).toEqual(settled);
  });

  it('new points for one template: maxima, earned, attempt totals; dry run == applied', async () => {
    const e = await exam({ maxAttempts: 2 });
    const ann = await student();
    const bob = await student();
    const a = await take(ann, e.id, ['right', 'right']);
    const b = await take(bob, e.id, ['right', 'wrong']);
    const target = (await ctx.app.prisma.attemptQuestion.findFirstOrThrow({ where: { attemptId: b, position: 1 } })).templateId;
    const spec = { points: 4, templateId: target };
    const plan = (await regrade(instructor, e.id, spec)).json();
    const byAttempt = Object.fromEntries(plan.changes.map((x: { attemptId: string }) => [x.attemptId, x]));
    expect(byAttempt[a]).toMatchObject({ before: 20, after: 14, delta: -6, maxPointsBefore: 20, maxPointsAfter: 14 });
    expect(byAttempt[b]).toMatchObject({ before: 10, after: 4, delta: -6, maxPointsAfter: 14 });
    expect(plan.summary).toMatchObject({ attempts: 2, changed: 2, totalDelta: -12, questions: 2, submissions: 2, submissionsChanged: 2, variantsChanged: 0 });

    const applied = (await regrade(instructor, e.id, { ...spec, dryRun: false })).json();
    expect({ changes: applied.changes, overridden: applied.overridden, summary: applied.summary }).toEqual({
      changes: plan.changes,
      overridden: plan.overridden,
      summary: plan.summary,
    });
    for (const ch of plan.changes) {
      expect(await ctx.app.prisma.attempt.findUniqueOrThrow({ where: { id: ch.attemptId } })).toMatchObject({ points: ch.after, maxPoints: ch.maxPointsAfter });
    }
    const qs = await ctx.app.prisma.attemptQuestion.findMany({ where: { attemptId: { in: [a, b] } }, include: { submissions: true } });
    for (const q of qs) {
      expect(q.maxPoints).toBe(q.templateId === target ? 4 : 10);
      for (const s of q.submissions) expect(s.maxPoints).toBe(q.maxPoints);
    }
    expect((await api(ta, 'GET', `/exams/${e.id}/attempts?userId=${ann.id}`)).json().items[0]).toMatchObject({ points: 14, maxPoints: 14, percent: 100 });
    expect((await regrade(instructor, e.id, spec)).json().changes).toEqual([]);
  });

  it("with useCurrentVersion recomputes answers from the stored parameters with the template's current version", async () => {
    const e = await exam({}, ['he-init-scale']);
    const ann = await student();
    const a = await take(ann, e.id, ['right']);
    const oldVariant = await variantOf(a, 1);
    // A new version "fixes" the variance to 1/fan-in; std keeps following the student's variance.
    const current = await ctx.app.catalogue.current(course.id, 'he-init-scale');
    const content = structuredClone(current.compiled.template) as TemplateInput;
    content.answers[1].expr = '1 / fanin';
    const next = await upsertTemplate(ctx.app.prisma, compileTemplate(content), 'builtin');
    expect(next.created).toBe(true);
    await ctx.app.catalogue.invalidate(null);

    const plan = (await regrade(instructor, e.id, { useCurrentVersion: true })).json();
    const third = Math.round(((10 * 2) / 3) * 1e9) / 1e9;
    expect(plan.changes).toEqual([
      {
        attemptId: a,
        userId: ann.id,
        number: 1,
        before: 10,
        after: third,
        delta: Math.round((third - 10) * 1e9) / 1e9,
        maxPointsBefore: 10,
        maxPointsAfter: 10,
      },
    ]);
    const applied = (await regrade(instructor, e.id, { useCurrentVersion: true, dryRun: false })).json();
    expect(applied.changes).toEqual(plan.changes);

    const v = await ctx.app.prisma.variant.findUniqueOrThrow({ where: { id: oldVariant.id } });
    const params = oldVariant.params as { din: number };
    expect(v.templateVersionId).toBe(next.versionId);
    expect(v.params).toEqual(oldVariant.params);
    expect((v.answers as Record<string, number>).variance).toBeCloseTo(1 / params.din, 15);
    expect(v.prompt).toBe(oldVariant.prompt);
    const [s] = await ctx.app.prisma.submission.findMany({ where: { attemptQuestion: { attemptId: a } } });
    expect((s.results as { id: string; status: string; followThrough?: boolean }[]).map((p) => [p.id, p.status, p.followThrough ?? false])).toEqual([
      ['fanin', 'correct', false],
      ['variance', 'incorrect', false],
      ['std', 'correct', true],
    ]);
    expect((await regrade(instructor, e.id, { useCurrentVersion: true })).json().changes).toEqual([]);
  });

  it('with useCurrentVersion keeps the options a choice question showed, in their order, and refuses a version without one of them', async () => {
    const id = 'lstm-vanishing-gradient-choice';
    const e = await exam({}, [id]);
    const ann = await student();
    const a = await take(ann, e.id, ['right']);
    const before = await variantOf(a, 1);
    const shown = (before.parts as { choices?: string[] }[])[0]?.choices ?? [];
    const right = (before.answers as { statements: string[] }).statements;
    expect(shown).toHaveLength(5);
    // A new version that only rewords the label: the student's options stay as they were shown.
    const content = structuredClone((await ctx.app.catalogue.current(course.id, id)).compiled.template) as TemplateInput;
    content.answers[0].label = 'the true statements';
    const next = await upsertTemplate(ctx.app.prisma, compileTemplate(content), 'builtin');
    await ctx.app.catalogue.invalidate(null);
    const applied = (await regrade(instructor, e.id, { useCurrentVersion: true, dryRun: false })).json();
    expect(applied.changes).toEqual([]);
    const after = await ctx.app.prisma.variant.findUniqueOrThrow({ where: { id: before.id } });
    expect(after.templateVersionId).toBe(next.versionId);
    expect((after.parts as { choices?: string[]; label: string }[])[0]).toMatchObject({ label: 'the true statements', choices: shown });
    expect(after.answers).toEqual(before.answers);
    // A version that rewords a (wrong) statement this student saw cannot regrade the variant silently.
    const wrongShown = shown.find((c) => !right.includes(c)) ?? '';
    const reworded = structuredClone(content);
    reworded.answers[0].choices = (content.answers[0].choices ?? []).map((c) => (c === wrongShown ? `${c} (reworded)` : c));
    await upsertTemplate(ctx.app.prisma, compileTemplate(reworded), 'builtin');
    await ctx.app.catalogue.invalidate(null);
    const refused = await regrade(instructor, e.id, { useCurrentVersion: true, dryRun: false });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      code: 'REGRADE_FAILED',
      message: expect.stringMatching(/the variant showed the choice ".+", which this version does not offer/),
    });
    expect((await ctx.app.prisma.variant.findUniqueOrThrow({ where: { id: before.id } })).templateVersionId).toBe(next.versionId);
  });

  it("with useCurrentVersion on a course's own template recomputes in the sandbox, not in the service's thread", async () => {
    const authoring = `/courses/${course.id}/authoring/templates`;
    const copied = await api(instructor, 'POST', `${authoring}/copy`, { from: 'he-init-scale', id: 'he-course' });
    expect(copied.statusCode).toBe(201);
    const release = async (version: number) => {
      expect((await api(instructor, 'POST', `${authoring}/he-course/versions/${version}/self-test`, { variants: 20 })).json()).toMatchObject({ passed: true });
      expect((await api(instructor, 'POST', `${authoring}/he-course/versions/${version}/publish`)).statusCode).toBe(200);
    };
    await release(1);
    const e = await exam({}, ['he-course']);
    const ann = await student();
    const a = await take(ann, e.id, ['right']);
    const oldVariant = await variantOf(a, 1);

    const content = structuredClone((await ctx.app.catalogue.current(course.id, 'he-course')).compiled.template) as TemplateInput;
    content.answers[1].expr = '1 / fanin';
    const saved = await api(instructor, 'POST', `${authoring}/he-course/versions`, { source: stringifyYaml(content) });
    expect(saved.statusCode).toBe(201);
    await release(2);

    const recompute = vi.spyOn(ctx.app.sandbox, 'answersFromParams');
    try {
      const applied = (await regrade(instructor, e.id, { useCurrentVersion: true, dryRun: false })).json();
      expect(applied.changes).toEqual([expect.objectContaining({ attemptId: a, before: 10, after: Math.round(((10 * 2) / 3) * 1e9) / 1e9 })]);
      // The dry-run half and the applied half of the regrade each recompute the one variant there.
      expect(recompute).toHaveBeenCalled();
      expect(recompute.mock.calls.every(([, params]) => JSON.stringify(params) === JSON.stringify(oldVariant.params))).toBe(true);
    } finally {
      recompute.mockRestore();
    }
    const v = await ctx.app.prisma.variant.findUniqueOrThrow({ where: { id: oldVariant.id } });
    expect((v.answers as Record<string, number>).variance).toBeCloseTo(1 / (oldVariant.params as { din: number }).din, 15);
  });

  it('two regrades applied at once: one makes the change, the other finds nothing left to change', async () => {
    const e = await exam();
    const ann = await student();
    const a = await take(ann, e.id, ['right', 'wrong']);
    const both = await Promise.all([1, 2].map(() => regrade(instructor, e.id, { points: 5, dryRun: false })));
    expect(both.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(both.map((r) => r.json().summary.changed).sort()).toEqual([0, 1]);
    expect(await ctx.app.prisma.attempt.findUniqueOrThrow({ where: { id: a } })).toMatchObject({ points: 5, maxPoints: 10 });
    expect(await ctx.app.prisma.regrade.count({ where: { examId: e.id } })).toBe(2);
  });

  it('is for instructors, validates its body, and an exam without attempts has nothing to change', async () => {
    const e = await exam();
    const ann = await student();
    expect((await regrade(ta, e.id, {})).statusCode).toBe(403);
    expect((await regrade(ann, e.id, {})).statusCode).toBe(403);
    expect((await regrade(outsider, e.id, {})).statusCode).toBe(404);
    expect((await regrade(instructor, e.id, { tolerance: { mode: 'relative', rtol: 2 } })).statusCode).toBe(400);
    expect((await regrade(instructor, e.id, { points: 0 })).statusCode).toBe(400);
    expect((await regrade(instructor, e.id, { templateId: 'Not A Template' })).statusCode).toBe(400);
    expect((await regrade(instructor, e.id, { extra: true })).statusCode).toBe(400);
    const empty = await regrade(instructor, e.id, { dryRun: false, points: 5 });
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toMatchObject({ dryRun: false, changes: [], summary: { attempts: 0, changed: 0, totalDelta: 0 } });
  });
});

describe('GET /exams/:examId/scores.csv', () => {
  /** A course of its own, so the file's rows are exactly the students made here. */
  async function gradebookCourse() {
    const teacher = await createUser(ctx.app, { name: 'Gina Grader' });
    const helper = await createUser(ctx.app, { name: 'Hal Helper' });
    const c = await createCourse(ctx.app, [
      [teacher, 'INSTRUCTOR'],
      [helper, 'TA'],
    ]);
    const enrol = async (name: string) => {
      const u = await createUser(ctx.app, { name });
      await ctx.app.prisma.membership.create({ data: { userId: u.id, courseId: c.id, role: 'STUDENT' } });
      return u;
    };
    const e = await ctx.app.prisma.exam.create({
      data: {
        courseId: c.id,
        title: 'Midterm, "part" 1',
        status: 'PUBLISHED',
        blueprint: toJson({ sections: [{ count: 2, points: 10, pool: { templates: INTEGER_TEMPLATES } }], policies: { maxAttempts: 2, scorePolicy: 'best' } }),
      },
    });
    return { teacher, helper, enrol, e };
  }

  const csv = (u: TestUser, examId: string) => ctx.app.inject({ method: 'GET', url: `/api/v1/exams/${examId}/scores.csv`, headers: u.auth });

  it('one row per student of the course, with an empty score for those without a finished attempt; quoted and defused', async () => {
    const { teacher, helper, enrol, e } = await gradebookCourse();
    const ann = await enrol('Ann Able');
    const comma = await enrol('Doe, "Jo"');
    const formula = await enrol('=HYPERLINK("http://evil.example","x")');
    const minus = await enrol('-Minus');
    const busy = await enrol('Bea Busy');
    await take(ann, e.id, ['right', 'wrong']);
    await take(ann, e.id, ['right', 'right']);
    await take(comma, e.id, ['wrong', 'right']);
    await start(busy, e.id); // open: no score yet
    // Someone else's course: not in this file.
    await take(await student('Other Course'), (await exam()).id, ['right', 'right']);

    const res = await csv(helper, e.id);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="midterm-part-1-scores.csv"');
    expect(res.body.endsWith('\r\n')).toBe(true);
    const lines = res.body.slice(0, -2).split('\r\n');
    expect(lines[0]).toBe('Student,ID,SIS User ID,SIS Login ID,Section,"Midterm, ""part"" 1"');
    expect(lines[1]).toBe('Points Possible,,,,,20');
    const expected = new Map([
      [ann.email, `Ann Able,,,${ann.email},,20`],
      [comma.email, `"Doe, ""Jo""",,,${comma.email},,10`],
      [formula.email, `"'=HYPERLINK(""http://evil.example"",""x"")",,,${formula.email},,`],
      [minus.email, `'-Minus,,,${minus.email},,`],
      [busy.email, `Bea Busy,,,${busy.email},,`],
    ]);
    const emails = [...expected.keys()].sort();
    expect(lines.slice(2)).toEqual(emails.map((m) => expected.get(m)));
    // Staff are no students; the instructor reads the same file.
    expect(res.body).not.toContain(teacher.email);
    expect(res.body).not.toContain(helper.email);
    expect((await csv(teacher, e.id)).body).toBe(res.body);
  });

  it('uses the score policy of examScores (average here) and rounds points to two decimals', async () => {
    const { teacher, enrol, e } = await gradebookCourse();
    await ctx.app.prisma.exam.update({
      where: { id: e.id },
      data: {
        blueprint: toJson({
          sections: [{ count: 2, points: 10, pool: { templates: INTEGER_TEMPLATES } }],
          policies: { maxAttempts: 3, scorePolicy: 'average' },
        }),
      },
    });
    const cy = await enrol('Cy');
    for (const plan of [
      ['right', 'right'],
      ['right', 'wrong'],
      ['right', 'wrong'],
    ] as const)
      await take(cy, e.id, [...plan]);
    const json = (await api(teacher, 'GET', `/exams/${e.id}/scores`)).json();
    expect(json.items[0].points).toBeCloseTo(13.333333333, 6);
    const lines = (await csv(teacher, e.id)).body.split('\r\n');
    expect(lines[2]).toBe(`Cy,,,${cy.email},,13.33`);
  });

  it('is for staff only', async () => {
    const { enrol, e } = await gradebookCourse();
    const stu = await enrol('Stu');
    await take(stu, e.id, ['right', 'right']);
    const forbidden = await csv(stu, e.id);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers['content-type']).toMatch(/^application\/json/);
    expect(forbidden.body).not.toContain(stu.email);
    expect((await csv(outsider, e.id)).statusCode).toBe(404);
  });

  it('an empty course gives the header rows only', async () => {
    const { teacher, e } = await gradebookCourse();
    const res = await csv(teacher, e.id);
    expect(res.statusCode).toBe(200);
    expect(res.body.split('\r\n')).toEqual(['Student,ID,SIS User ID,SIS Login ID,Section,"Midterm, ""part"" 1"', 'Points Possible,,,,,20', '']);
  });

  it('reads the roster a page at a time, in email order, without losing or repeating anyone', async () => {
    const { teacher, enrol, e } = await gradebookCourse();
    const made = await Promise.all(Array.from({ length: 7 }, (_, i) => enrol(`P${i}`)));
    const ref = await authorizeExam(ctx.app.prisma, userPrincipal(teacher.id, false), e.id, 'staff');
    const pages: string[][] = [];
    for await (const page of rosterScores(ctx.app, ref, 3)) pages.push(page.map((r) => r.email));
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(made.map((u) => u.email).sort());
  });

  it('is documented as a text/csv download', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const op = doc.paths['/api/v1/exams/{examId}/scores.csv'].get;
    expect(Object.keys(op.responses['200'].content)).toEqual(['text/csv; charset=utf-8']);
    expect(op.responses['200'].headers['content-disposition']).toBeDefined();
    expect(Object.keys(op.responses['403'].content)).toEqual(['application/json']);
  });
});

describe('OpenAPI', () => {
  it('documents the routes from their schemas', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const path of [
      '/api/v1/exams/{examId}/attempts',
      '/api/v1/exams/{examId}/scores',
      '/api/v1/exams/{examId}/my-score',
      '/api/v1/attempts/{attemptId}/questions/{position}/override',
      '/api/v1/attempts/{attemptId}/audit',
      '/api/v1/exams/{examId}/regrade',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    const body = doc.paths['/api/v1/exams/{examId}/regrade'].post.requestBody.content['application/json'].schema;
    expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(['dryRun', 'templateId', 'tolerance', 'points', 'useCurrentVersion']));
  });
});
