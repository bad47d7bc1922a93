/**
 * Attempts produce their events in the transaction of the change: attempt.finished when an
 * attempt finishes (by the student or its deadline), score.changed when an override or an
 * applied regrade moves a finished attempt's total; a dry run, an unchanged total or an open
 * attempt produce none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJson } from '../../src/db/json.js';
import { correctSubmission } from '../../src/authoring/submissions.js';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

let ctx: TestContext;
let teacher: TestUser;
let course: { id: string };

beforeAll(async () => {
  ctx = await setupApp();
  teacher = await createUser(ctx.app);
  course = await createCourse(ctx.app, [[teacher, 'INSTRUCTOR']]);
});
afterAll(async () => ctx?.close());

const api = (u: TestUser, method: 'GET' | 'POST', url: string, payload?: object) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers: u.auth, ...(payload ? { payload } : {}) });
const events = async (type: string) =>
  (await ctx.app.prisma.outboxEvent.findMany({ where: { courseId: course.id, type }, orderBy: { seq: 'asc' } })).map(
    (e) => e.payload as Record<string, unknown>,
  );

async function student(): Promise<TestUser> {
  const u = await createUser(ctx.app);
  await ctx.app.prisma.membership.create({ data: { userId: u.id, courseId: course.id, role: 'STUDENT' } });
  return u;
}

describe('attempt events', () => {
  it('finish, override and regrade each report what changed; dry runs and open attempts do not', async () => {
    const exam = await ctx.app.prisma.exam.create({
      data: {
        courseId: course.id,
        title: 'Events',
        status: 'PUBLISHED',
        blueprint: toJson({ sections: [{ count: 1, points: 10, pool: { templates: ['conv-output-size'] } }], policies: { timeLimitMinutes: 30 } }),
      },
    });
    const ann = await student();
    const a = (await api(ann, 'POST', `/exams/${exam.id}/attempts`)).json().id as string;
    const q = await ctx.app.prisma.attemptQuestion.findFirstOrThrow({ where: { attemptId: a }, include: { variants: true } });
    const right = correctSubmission({ secret: { answers: q.variants[0].answers, parts: q.variants[0].parts } } as never);
    expect((await api(ann, 'POST', `/attempts/${a}/questions/1/submissions`, { answers: right })).statusCode).toBe(201);
    expect(await events('attempt.finished')).toEqual([]);
    expect((await api(ann, 'POST', `/attempts/${a}/finish`)).statusCode).toBe(200);
    // Finishing again changes nothing and reports nothing.
    await api(ann, 'POST', `/attempts/${a}/finish`);
    expect(await events('attempt.finished')).toEqual([
      { attemptId: a, examId: exam.id, userId: ann.id, number: 1, points: 10, maxPoints: 10, finishedAt: ctx.clock.now.toISOString(), finishedBy: 'student' },
    ]);

    // Bob's attempt runs out: the sweep finishes it at its deadline.
    const bob = await student();
    const b = (await api(bob, 'POST', `/exams/${exam.id}/attempts`)).json().id as string;
    const deadline = (await ctx.app.prisma.attempt.findUniqueOrThrow({ where: { id: b } })).deadline as Date;
    ctx.clock.now = new Date(deadline.getTime() + 1000);
    await ctx.app.inject({ method: 'GET', url: `/api/v1/attempts/${b}`, headers: bob.auth });
    expect((await events('attempt.finished'))[1]).toMatchObject({ attemptId: b, points: 0, finishedAt: deadline.toISOString(), finishedBy: 'deadline' });

    // An override of Ann's question: 10 → 7.
    const o = await api(teacher, 'POST', `/attempts/${a}/questions/1/override`, { points: 7, reason: 'shown working was wrong' });
    expect(o.statusCode).toBe(200);
    expect(await events('score.changed')).toEqual([
      { attemptId: a, examId: exam.id, userId: ann.id, number: 1, points: 7, maxPoints: 10, previousPoints: 10, via: 'override' },
    ]);
    // The same points again: the total does not move, no event.
    await api(teacher, 'POST', `/attempts/${a}/questions/1/override`, { points: 7, reason: 'again' });
    expect(await events('score.changed')).toHaveLength(1);

    // A regrade to 20 points per question: a dry run reports nothing, the applied one each moved total.
    await api(teacher, 'POST', `/exams/${exam.id}/regrade`, { points: 20 });
    expect(await events('score.changed')).toHaveLength(1);
    const applied = (await api(teacher, 'POST', `/exams/${exam.id}/regrade`, { points: 20, dryRun: false })).json();
    // Both finished attempts now have 20 points possible (Ann keeps her override of 7, Bob his 0): both reported.
    expect(applied.changes).toHaveLength(2);
    const fromRegrade = (await events('score.changed')).slice(1);
    expect(fromRegrade.map((e) => [e.attemptId, e.points, e.maxPoints, e.previousPoints]).sort()).toEqual(
      [
        [a, 7, 20, 7],
        [b, 0, 20, 0],
      ].sort(),
    );
    for (const e of fromRegrade) expect(e).toMatchObject({ via: 'regrade', regradeId: applied.regradeId });
  });
});
