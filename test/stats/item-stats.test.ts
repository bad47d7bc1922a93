/**
 * Item statistics against values computed by hand on a small fixed data set: four finished
 * attempts of a two-template exam (one open attempt that must not count), tries, a named
 * mistake, an override, a format error, parameters; and who may read them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJson } from '../../src/db/json.js';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

let ctx: TestContext;
let instructor: TestUser;
let ta: TestUser;
let student: TestUser;
let outsider: TestUser;
let course: { id: string };
let examId = '';
let versionId = '';
const T0 = new Date('2026-05-04T09:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

type Sub = { at: number; parts: { id: string; status: string; score: number; answer: string; mistake?: string }[] };
interface Item {
  template: 'tpl-a' | 'tpl-b';
  earned: number;
  override?: number;
  params: Record<string, number>;
  subs: Sub[];
  formatErrors?: number;
}

const ok = (id: string) => ({ id, status: 'correct', score: 1, answer: '1' });

/** One attempt per student: A and B worth 10 points each. */
const DATA: { status: 'FINISHED' | 'OPEN'; items: Item[] }[] = [
  {
    status: 'FINISHED',
    items: [
      { template: 'tpl-a', earned: 10, params: { W: 5, F: 3 }, subs: [{ at: 60, parts: [ok('p1'), ok('p2')] }] },
      { template: 'tpl-b', earned: 10, params: { k: 2 }, subs: [{ at: 300, parts: [ok('q')] }] },
    ],
  },
  {
    status: 'FINISHED',
    items: [
      {
        template: 'tpl-a',
        earned: 5,
        params: { W: 7, F: 3 },
        subs: [
          { at: 30, parts: [{ id: 'p1', status: 'incorrect', score: 0, answer: '7', mistake: 'no_plus_one' }, ok('p2')] },
          { at: 90, parts: [{ id: 'p1', status: 'incorrect', score: 0, answer: '7', mistake: 'no_plus_one' }, ok('p2')] },
        ],
      },
      { template: 'tpl-b', earned: 0, params: { k: 2 }, subs: [] },
    ],
  },
  {
    status: 'FINISHED',
    items: [
      { template: 'tpl-a', earned: 0, params: { W: 5, F: 1 }, subs: [], formatErrors: 1 },
      { template: 'tpl-b', earned: 10, params: { k: 2 }, subs: [{ at: 50, parts: [ok('q')] }] },
    ],
  },
  {
    status: 'FINISHED',
    items: [
      {
        template: 'tpl-a',
        earned: 10,
        params: { W: 7, F: 3 },
        subs: [
          { at: 100, parts: [{ id: 'p1', status: 'incorrect', score: 0, answer: '9' }, ok('p2')] },
          { at: 150, parts: [ok('p1'), ok('p2')] },
        ],
      },
      { template: 'tpl-b', earned: 0, override: 5, params: { k: 2 }, subs: [{ at: 400, parts: [{ id: 'q', status: 'incorrect', score: 0, answer: '1' }] }] },
    ],
  },
  // Open: none of it counts.
  { status: 'OPEN', items: [{ template: 'tpl-a', earned: 10, params: { W: 99, F: 9 }, subs: [{ at: 10, parts: [ok('p1'), ok('p2')] }] }] },
];

async function seed(): Promise<void> {
  const exam = await ctx.app.prisma.exam.create({
    data: {
      courseId: course.id,
      title: 'Stats',
      status: 'PUBLISHED',
      blueprint: toJson({ sections: [{ count: 1, points: 10, pool: { templates: ['conv-output-size'] } }] }),
    },
  });
  examId = exam.id;
  versionId = (await ctx.app.prisma.templateVersion.findFirstOrThrow({ select: { id: true } })).id;
  for (const [n, a] of DATA.entries()) {
    const u = await createUser(ctx.app, { name: `S${n}` });
    await ctx.app.prisma.membership.create({ data: { userId: u.id, courseId: course.id, role: 'STUDENT' } });
    const points = a.items.reduce((s, i) => s + (i.override ?? i.earned), 0);
    const attempt = await ctx.app.prisma.attempt.create({
      data: {
        examId,
        userId: u.id,
        number: 1,
        status: a.status,
        startedAt: T0,
        finishedAt: a.status === 'FINISHED' ? at(1000) : null,
        points,
        maxPoints: 10 * a.items.length,
      },
    });
    for (const [pos, it] of a.items.entries()) {
      const q = await ctx.app.prisma.attemptQuestion.create({
        data: {
          attemptId: attempt.id,
          position: pos + 1,
          sectionIndex: 0,
          templateId: it.template,
          maxPoints: 10,
          earned: it.earned,
          overridePoints: it.override ?? null,
          triesUsed: it.subs.length,
        },
      });
      const v = await ctx.app.prisma.variant.create({
        data: {
          templateVersionId: versionId,
          userId: u.id,
          courseId: course.id,
          context: 'EXAM',
          seed: 1,
          params: toJson(it.params),
          answers: toJson({}),
          parts: toJson([]),
          prompt: 'p',
          solution: 's',
          attemptQuestionId: q.id,
          createdAt: T0,
        },
      });
      for (const [k, s] of it.subs.entries()) {
        const score = s.parts.reduce((t, p) => t + p.score, 0) / s.parts.length;
        await ctx.app.prisma.submission.create({
          data: {
            variantId: v.id,
            context: 'EXAM',
            userId: u.id,
            tryNumber: k + 1,
            attemptQuestionId: q.id,
            answers: toJson(Object.fromEntries(s.parts.map((p) => [p.id, p.answer]))),
            results: toJson(
              s.parts.map((p) => ({
                id: p.id,
                status: p.status,
                score: p.score,
                points: p.score,
                maxPoints: 1,
                feedback: '',
                ...(p.mistake ? { mistake: p.mistake } : {}),
              })),
            ),
            score,
            points: 10 * score,
            maxPoints: 10,
            requestHash: `h${n}${pos}${k}`,
            createdAt: at(s.at),
          },
        });
      }
      for (let f = 0; f < (it.formatErrors ?? 0); f++) {
        await ctx.app.prisma.formatError.create({ data: { variantId: v.id, userId: u.id, attemptQuestionId: q.id, parts: ['p1'] } });
      }
    }
  }
}

beforeAll(async () => {
  ctx = await setupApp();
  instructor = await createUser(ctx.app);
  ta = await createUser(ctx.app);
  student = await createUser(ctx.app);
  outsider = await createUser(ctx.app);
  course = await createCourse(ctx.app, [
    [instructor, 'INSTRUCTOR'],
    [ta, 'TA'],
    [student, 'STUDENT'],
  ]);
  await seed();
});
afterAll(async () => ctx?.close());

const get = (u: TestUser, url: string) => ctx.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: u.auth });
/** The histogram as counts per bucket [0, 10 %) … [90 %, 100 %]. */
const counts = (h: { count: number }[]) => h.map((b) => b.count);

describe('GET /exams/:examId/statistics', () => {
  it('matches the hand-computed values', async () => {
    const res = await get(instructor, `/exams/${examId}/statistics`);
    expect(res.statusCode).toBe(200);
    const s = res.json();
    // Attempts 20, 5, 10, 15 of 20 points (the open one left out).
    expect(s).toMatchObject({ attempts: 4, students: 4, mean: 0.625, median: 0.625 });
    expect(counts(s.histogram)).toEqual([0, 0, 1, 0, 0, 1, 0, 1, 0, 1]);
    const [a, b] = s.templates;
    // A: 1, 0.5, 0, 1. Points 10, 5, 0, 10 against the rest 10, 0, 10, 5: r = −6.25 / 68.75.
    expect(a).toMatchObject({
      templateId: 'tpl-a',
      items: 4,
      answered: 3,
      mean: 0.625,
      median: 0.75,
      difficulty: 0.625,
      discrimination: Math.round((-6.25 / 68.75) * 1e6) / 1e6,
      // First tries 60, 30 and 100 s after the start.
      meanSecondsToAnswer: 63.3,
      submissions: 5,
      formatErrors: 1,
      formatErrorShare: Math.round((1 / 6) * 1e6) / 1e6,
    });
    expect(counts(a.histogram)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 2]);
    expect(a.parts).toEqual([
      {
        id: 'p1',
        answered: 3,
        mean: Math.round((2 / 3) * 1e6) / 1e6,
        correct: 2,
        partial: 0,
        incorrect: 1,
        missing: 0,
        wrongAnswers: [
          { answer: '7', count: 2 },
          { answer: '9', count: 1 },
        ],
        mistakes: [{ id: 'no_plus_one', count: 2 }],
      },
      { id: 'p2', answered: 3, mean: 1, correct: 3, partial: 0, incorrect: 0, missing: 0, wrongAnswers: [], mistakes: [] },
    ]);
    expect(a.parameters).toEqual([
      {
        name: 'F',
        groups: [
          { value: 1, from: 1, to: 1, n: 1, mean: 0 },
          { value: 3, from: 3, to: 3, n: 3, mean: Math.round((2.5 / 3) * 1e6) / 1e6 },
        ],
      },
      {
        name: 'W',
        groups: [
          { value: 5, from: 5, to: 5, n: 2, mean: 0.5 },
          { value: 7, from: 7, to: 7, n: 2, mean: 0.75 },
        ],
      },
    ]);
    // B: 1, 0, 1, 0.5 (the override's 5 points, not the 0 earned); k has one value and is left out.
    // First tries: 300 − 60 (after the attempt's previous submission), 50, 400 − 150.
    expect(b).toMatchObject({
      templateId: 'tpl-b',
      items: 4,
      answered: 3,
      mean: 0.625,
      median: 0.75,
      meanSecondsToAnswer: 180,
      submissions: 3,
      formatErrors: 0,
    });
    expect(b.discrimination).toBeCloseTo(-6.25 / 68.75, 6);
    expect(b.parts).toEqual([
      {
        id: 'q',
        answered: 3,
        mean: Math.round((2 / 3) * 1e6) / 1e6,
        correct: 2,
        partial: 0,
        incorrect: 1,
        missing: 0,
        wrongAnswers: [{ answer: '1', count: 1 }],
        mistakes: [],
      },
    ]);
    expect(b.parameters).toEqual([]);
  });

  it('staff read them (TA included); students are refused, outsiders do not see the exam', async () => {
    expect((await get(ta, `/exams/${examId}/statistics`)).statusCode).toBe(200);
    expect((await get(student, `/exams/${examId}/statistics`)).statusCode).toBe(403);
    expect((await get(outsider, `/exams/${examId}/statistics`)).statusCode).toBe(404);
  });
});

describe('GET /courses/:courseId/statistics/templates/:templateId', () => {
  it("one template across the course's exams: the same numbers", async () => {
    const exam = (await get(instructor, `/exams/${examId}/statistics`)).json();
    const res = await get(ta, `/courses/${course.id}/statistics/templates/tpl-a`);
    // tpl-a is not a stored template: only ids the course knows are answered.
    expect(res.statusCode).toBe(404);
    await ctx.app.prisma.problemTemplate.create({ data: { id: 'tpl-a', slug: 'tpl-a', title: 'A', topic: 't', tags: [], difficulty: 1, currentVersion: 1 } });
    const again = await get(ta, `/courses/${course.id}/statistics/templates/tpl-a`);
    expect(again.statusCode).toBe(200);
    // The same numbers; the title now that the template is stored.
    expect({ ...again.json(), title: null }).toEqual(exam.templates[0]);
    expect(again.json().title).toBe('A');
    expect((await get(student, `/courses/${course.id}/statistics/templates/tpl-a`)).statusCode).toBe(403);
    expect((await get(outsider, `/courses/${course.id}/statistics/templates/tpl-a`)).statusCode).toBe(404);
  });

  it('a template with no items yet: zeros', async () => {
    const res = await get(instructor, `/courses/${course.id}/statistics/templates/conv-output-size`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ templateId: 'conv-output-size', items: 0, discrimination: null, parts: [], parameters: [] });
  });
});

describe('parameters with many values', () => {
  it('are grouped into five equal-width ranges', async () => {
    const exam = await ctx.app.prisma.exam.create({
      data: {
        courseId: course.id,
        title: 'Buckets',
        status: 'PUBLISHED',
        blueprint: toJson({ sections: [{ count: 1, points: 10, pool: { templates: ['conv-output-size'] } }] }),
      },
    });
    // x = 1..13, right when x is even: ranges of width 2.4 from 1 to 13.
    for (let x = 1; x <= 13; x++) {
      const u = await createUser(ctx.app);
      const earned = x % 2 === 0 ? 10 : 0;
      const a = await ctx.app.prisma.attempt.create({
        data: { examId: exam.id, userId: u.id, number: 1, status: 'FINISHED', startedAt: T0, points: earned, maxPoints: 10 },
      });
      const q = await ctx.app.prisma.attemptQuestion.create({
        data: { attemptId: a.id, position: 1, sectionIndex: 0, templateId: 'tpl-x', maxPoints: 10, earned },
      });
      await ctx.app.prisma.variant.create({
        data: {
          templateVersionId: versionId,
          userId: u.id,
          courseId: course.id,
          context: 'EXAM',
          seed: 1,
          params: toJson({ x }),
          answers: toJson({}),
          parts: toJson([]),
          prompt: 'p',
          solution: 's',
          attemptQuestionId: q.id,
        },
      });
    }
    const res = await get(instructor, `/exams/${exam.id}/statistics`);
    expect(res.statusCode, res.body).toBe(200);
    const s = res.json();
    const groups = s.templates[0].parameters[0].groups;
    expect(s.templates[0].parameters[0].name).toBe('x');
    // {1,2,3} {4,5} {6,7,8} {9,10} {11,12,13}
    expect(groups.map((g: { n: number }) => g.n)).toEqual([3, 2, 3, 2, 3]);
    expect(groups.map((g: { mean: number }) => g.mean)).toEqual([1 / 3, 0.5, 2 / 3, 0.5, 1 / 3].map((m) => Math.round(m * 1e6) / 1e6));
    expect(groups.map((g: { from: number; to: number }) => [g.from, g.to])).toEqual([
      [1, 3.4],
      [3.4, 5.8],
      [5.8, 8.2],
      [8.2, 10.6],
      [10.6, 13],
    ]);
    expect(groups[0].value).toBeUndefined();
  });
});
