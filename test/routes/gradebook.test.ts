/**
 * The course gradebook and an exam's submissions: every student (with or without attempts),
 * each exam by its own score policy, cursor pages, the CSV (Canvas columns) round trip, page
 * by page streaming, and who may read them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CourseRef } from '../../src/authz/index.js';
import { toJson } from '../../src/db/json.js';
import { openGradebookCsv } from '../../src/exams/course-gradebook.js';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

let ctx: TestContext;
let instructor: TestUser;
let ta: TestUser;
let outsider: TestUser;
let course: { id: string };
const students: TestUser[] = [];
const exams: { id: string; title: string }[] = [];
const T0 = new Date('2026-05-04T09:00:00Z');

const blueprint = (scorePolicy: string) =>
  toJson({ sections: [{ count: 1, points: 10, pool: { templates: ['conv-output-size'] } }], policies: { maxAttempts: 3, scorePolicy } });

/** points per attempt (finished unless marked open), per student, per exam. */
const PLAN: Record<number, Record<number, (number | 'open')[]>> = {
  // PLAN[student][exam]; exam 0 is scored by its best attempt, exam 1 by its latest.
  0: { 0: [4, 9], 1: [7, 3] },
  1: { 0: [10], 1: ['open'] },
  // student 2: no attempts at all.
};

/** Parses RFC 4180 text (quoted fields, CRLF) into rows of fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

beforeAll(async () => {
  ctx = await setupApp();
  instructor = await createUser(ctx.app);
  ta = await createUser(ctx.app);
  outsider = await createUser(ctx.app);
  course = await createCourse(ctx.app, [
    [instructor, 'INSTRUCTOR'],
    [ta, 'TA'],
  ]);
  for (const name of ['Ann, "the first"', '=Bob', 'Cy']) {
    const u = await createUser(ctx.app, { name });
    await ctx.app.prisma.membership.create({ data: { userId: u.id, courseId: course.id, role: 'STUDENT' } });
    students.push(u);
  }
  students.sort((a, b) => (a.email < b.email ? -1 : 1));
  for (const [i, policy] of ['best', 'latest'].entries()) {
    const e = await ctx.app.prisma.exam.create({
      data: { courseId: course.id, title: `Quiz ${i + 1}`, status: 'PUBLISHED', blueprint: blueprint(policy), createdAt: new Date(T0.getTime() + i * 1000) },
    });
    exams.push({ id: e.id, title: e.title });
  }
  // A draft is not in the gradebook.
  await ctx.app.prisma.exam.create({ data: { courseId: course.id, title: 'Draft', status: 'DRAFT', blueprint: blueprint('best') } });
  const version = await ctx.app.prisma.templateVersion.findFirstOrThrow({ select: { id: true } });
  for (const [s, byExam] of Object.entries(PLAN)) {
    for (const [e, attempts] of Object.entries(byExam)) {
      for (const [n, pts] of attempts.entries()) {
        const u = students[Number(s)];
        const a = await ctx.app.prisma.attempt.create({
          data: {
            examId: exams[Number(e)].id,
            userId: u.id,
            number: n + 1,
            status: pts === 'open' ? 'OPEN' : 'FINISHED',
            startedAt: new Date(T0.getTime() + n * 60_000),
            finishedAt: pts === 'open' ? null : new Date(T0.getTime() + n * 60_000 + 30_000),
            points: pts === 'open' ? 0 : pts,
            maxPoints: 10,
          },
        });
        const q = await ctx.app.prisma.attemptQuestion.create({
          data: {
            attemptId: a.id,
            position: 1,
            sectionIndex: 0,
            templateId: 'conv-output-size',
            maxPoints: 10,
            earned: pts === 'open' ? 0 : pts,
            triesUsed: 1,
          },
        });
        const v = await ctx.app.prisma.variant.create({
          data: {
            templateVersionId: version.id,
            userId: u.id,
            courseId: course.id,
            context: 'EXAM',
            seed: 1,
            params: toJson({}),
            answers: toJson({}),
            parts: toJson([]),
            prompt: 'p',
            solution: 's',
            attemptQuestionId: q.id,
          },
        });
        if (pts !== 'open') {
          await ctx.app.prisma.submission.create({
            data: {
              variantId: v.id,
              context: 'EXAM',
              userId: u.id,
              tryNumber: 1,
              attemptQuestionId: q.id,
              answers: toJson({ W2: `${pts}, "quoted"` }),
              results: toJson([{ id: 'W2', status: pts === 10 ? 'correct' : 'incorrect', score: pts / 10, ...(pts === 3 ? { mistake: 'no_plus_one' } : {}) }]),
              score: pts / 10,
              points: pts,
              maxPoints: 10,
              requestHash: `${s}${e}${n}`,
              createdAt: new Date(T0.getTime() + Number(s) * 1000 + Number(e) * 100 + n * 10),
            },
          });
        }
      }
    }
  }
});
afterAll(async () => ctx?.close());

const get = (u: TestUser, url: string, accept?: string) =>
  ctx.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: { ...u.auth, ...(accept ? { accept } : {}) } });

describe('GET /courses/:courseId/gradebook', () => {
  it('every student × every visible exam, each by its policy; pages by cursor', async () => {
    const first = await get(ta, `/courses/${course.id}/gradebook?limit=2`);
    expect(first.statusCode).toBe(200);
    const p1 = first.json();
    expect(p1.exams.map((e: { title: string; policy: string; maxPoints: number }) => [e.title, e.policy, e.maxPoints])).toEqual([
      ['Quiz 1', 'best', 10],
      ['Quiz 2', 'latest', 10],
    ]);
    expect(p1.items.map((r: { userId: string }) => r.userId)).toEqual([students[0].id, students[1].id]);
    // Student 0: best of 4 and 9 → 9; latest of 7, 3 → 3. Student 1: 10; Quiz 2 only open → none.
    expect(p1.items[0].scores.map((c: { points: number } | null) => c?.points ?? null)).toEqual([9, 3]);
    expect(p1.items[1].scores.map((c: { points: number } | null) => c?.points ?? null)).toEqual([10, null]);
    expect(p1.items[0].scores[0]).toMatchObject({ examId: exams[0].id, maxPoints: 10, percent: 90, attemptsUsed: 2, attemptsFinished: 2 });
    expect(p1.nextCursor).toEqual(expect.any(String));
    const p2 = (await get(ta, `/courses/${course.id}/gradebook?limit=2&cursor=${p1.nextCursor}`)).json();
    expect(p2.items).toEqual([{ userId: students[2].id, lmsId: null, email: students[2].email, name: expect.any(String), scores: [null, null] }]);
    expect(p2.nextCursor).toBeNull();
    const bad = await get(ta, `/courses/${course.id}/gradebook?cursor=not-a-cursor`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_ERROR');
  });

  it('as CSV: Canvas columns, a Points Possible row, every student; the numbers are the JSON ones', async () => {
    const res = await get(instructor, `/courses/${course.id}/gradebook`, 'text/csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="gradebook.csv"');
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual(['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', 'Quiz 1', 'Quiz 2']);
    expect(rows[1]).toEqual(['Points Possible', '', '', '', '', '10', '10']);
    const json = (await get(instructor, `/courses/${course.id}/gradebook`)).json();
    expect(rows.slice(2)).toEqual(
      json.items.map((r: { name: string; email: string; scores: ({ points: number } | null)[] }) => [
        // A name a spreadsheet would run as a formula is defused.
        r.name.startsWith('=') ? `'${r.name}` : r.name,
        '',
        '',
        r.email,
        '',
        ...r.scores.map((c) => (c ? String(c.points) : '')),
      ]),
    );
  });

  it('the CSV is written a page of students at a time', async () => {
    const ref: CourseRef = { courseId: course.id } as CourseRef;
    const chunks: string[] = [];
    for await (const c of await openGradebookCsv(ctx.app, ref, 2)) chunks.push(c);
    // Header + first page, then the second page.
    expect(chunks).toHaveLength(2);
    expect((await get(instructor, `/courses/${course.id}/gradebook`, 'text/csv')).body).toBe(chunks.join(''));
  });

  it('staff only: students are refused, outsiders do not see the course', async () => {
    expect((await get(students[0], `/courses/${course.id}/gradebook`)).statusCode).toBe(403);
    expect((await get(students[0], `/courses/${course.id}/gradebook`, 'text/csv')).statusCode).toBe(403);
    expect((await get(outsider, `/courses/${course.id}/gradebook`)).statusCode).toBe(404);
  });
});

describe('GET /exams/:examId/results', () => {
  it("every student for one exam, by its policy, in pages; its CSV is the exam's scores.csv", async () => {
    const p1 = (await get(ta, `/exams/${exams[1].id}/results?limit=2`)).json();
    expect(p1.exams).toEqual([expect.objectContaining({ id: exams[1].id, policy: 'latest' })]);
    expect(p1.items.map((r: { scores: ({ points: number } | null)[] }) => r.scores[0]?.points ?? null)).toEqual([3, null]);
    const p2 = (await get(ta, `/exams/${exams[1].id}/results?limit=2&cursor=${p1.nextCursor}`)).json();
    expect(p2.items.map((r: { userId: string }) => r.userId)).toEqual([students[2].id]);
    expect(p2.nextCursor).toBeNull();
    const csv = await get(ta, `/exams/${exams[1].id}/results`, 'text/csv');
    expect(csv.body).toBe((await get(ta, `/exams/${exams[1].id}/scores.csv`)).body);
    expect((await get(students[0], `/exams/${exams[1].id}/results`)).statusCode).toBe(403);
  });
});

describe('GET /exams/:examId/submissions', () => {
  it('every graded try in order, page by page, and the same as CSV', async () => {
    const all: { id: string; points: number; parts: { mistake?: string }[]; answers: unknown }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(instructor, `/exams/${exams[1].id}/submissions?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body: { items: typeof all; nextCursor: string | null } = res.json();
      all.push(...body.items);
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    // Quiz 2: student 0's two tries (the open attempt of student 1 has none).
    expect(all.map((s) => s.points)).toEqual([7, 3]);
    expect(pages).toBe(2);
    expect(all[1].parts[0].mistake).toBe('no_plus_one');
    const csv = await get(ta, `/exams/${exams[1].id}/submissions`, 'text/csv');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="quiz-2-submissions.csv"');
    const rows = parseCsv(csv.body);
    expect(rows[0]).toEqual([
      'submission',
      'attempt',
      'attempt number',
      'student',
      'email',
      'question',
      'template',
      'try',
      'score',
      'points',
      'max points',
      'submitted at',
      'answers',
      'mistakes',
    ]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(all.map((s) => s.id));
    // The answers survive the round trip as JSON text.
    expect(rows.slice(1).map((r) => JSON.parse(r[12]) as unknown)).toEqual(all.map((s) => s.answers));
    expect(rows[2][13]).toBe('W2:no_plus_one');
  });

  it('staff only', async () => {
    expect((await get(students[0], `/exams/${exams[0].id}/submissions`)).statusCode).toBe(403);
    expect((await get(outsider, `/exams/${exams[0].id}/submissions`)).statusCode).toBe(404);
  });
});
