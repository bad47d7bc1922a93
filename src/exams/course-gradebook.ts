/**
 * The course gradebook: every student of the course (role STUDENT, with attempts or not) × every
 * exam of the course that students can see (published or archived), each exam scored by its
 * own score policy over finished attempts (as GET /exams/:id/scores). Read a page of students
 * at a time (keyset on the unique email), so a course of any size is never held in memory.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CourseRef, Principal } from '../authz/index.js';
import { blueprintFromJson, blueprintMaxPoints } from './blueprint.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { csvLine, csvPoints, csvText } from './gradebook-csv.js';
import { finishExpiredOf, SCORED_ATTEMPT, scoresByStudent, type ExamScore, type ScorePolicy } from './scores.js';

export interface GradebookExam {
  id: string;
  title: string;
  policy: ScorePolicy;
  maxPoints: number;
}

export interface GradebookCell extends ExamScore {
  examId: string;
  attemptsUsed: number;
  attemptsFinished: number;
}

export interface GradebookRow {
  userId: string;
  /** The LMS's id of the student (roster sync), or null. */
  lmsId: string | null;
  email: string;
  name: string;
  /** In the order of `exams`; null without a finished attempt. */
  scores: (GradebookCell | null)[];
}

const cursorKey = z.strictObject({ email: z.string() });

/**
 * The course's exams students can see (or the one exam `onlyExamId`), oldest first; their
 * expired attempts are finished first (their next touch).
 */
export async function gradebookExams(app: FastifyInstance, course: CourseRef<Principal>, onlyExamId?: string): Promise<GradebookExam[]> {
  const rows = await app.prisma.exam.findMany({
    where: { courseId: course.courseId, ...(onlyExamId ? { id: onlyExamId } : { status: { in: ['PUBLISHED', 'ARCHIVED'] } }) },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, title: true, blueprint: true },
  });
  for (const e of rows) await finishExpiredOf(app, e.id);
  return rows.map((e) => {
    const b = blueprintFromJson(e.blueprint);
    return { id: e.id, title: e.title, policy: b.policies.scorePolicy, maxPoints: blueprintMaxPoints(b) };
  });
}

/** One page of students after `cursor` (nextCursor: null on the last page). */
export async function gradebookPage(
  app: FastifyInstance,
  course: CourseRef<Principal>,
  exams: readonly GradebookExam[],
  opts: { cursor?: string; limit: number },
): Promise<{ items: GradebookRow[]; nextCursor: string | null }> {
  const after = decodeCursor(opts.cursor, cursorKey)?.email;
  const members = await app.prisma.membership.findMany({
    where: { courseId: course.courseId, role: 'STUDENT', ...(after !== undefined ? { user: { email: { gt: after } } } : {}) },
    select: { user: { select: { id: true, lmsId: true, email: true, name: true } } },
    orderBy: { user: { email: 'asc' } },
    take: opts.limit + 1,
  });
  const page = members.slice(0, opts.limit).map((m) => m.user);
  const attempts = await app.prisma.attempt.findMany({
    where: { examId: { in: exams.map((e) => e.id) }, userId: { in: page.map((u) => u.id) } },
    select: { ...SCORED_ATTEMPT, examId: true },
  });
  const cells = exams.map((e) =>
    scoresByStudent(
      e.policy,
      attempts.filter((a) => a.examId === e.id),
    ),
  );
  const items = page.map((u) => ({
    userId: u.id,
    lmsId: u.lmsId,
    email: u.email,
    name: u.name,
    scores: exams.map((e, i) => {
      const c = cells[i].get(u.id);
      return c?.score ? { examId: e.id, ...c.score, attemptsUsed: c.attemptsUsed, attemptsFinished: c.attemptsFinished } : null;
    }),
  }));
  const last = page.at(-1);
  return { items, nextCursor: members.length > opts.limit && last ? encodeCursor({ email: last.email }) : null };
}

const line = csvLine;

/**
 * The gradebook as CSV in the columns Canvas imports (see gradebook-csv.ts): Student, ID, SIS
 * User ID (the LMS id from roster sync, when known), SIS Login ID, Section, one column per
 * exam (headed by its title), a Points Possible row, then every student; a chunk per page of
 * `pageSize` students. The exams and the first page are read before this returns, so a
 * database failure is an error response, not a cut file.
 */
export async function openGradebookCsv(
  app: FastifyInstance,
  course: CourseRef<Principal>,
  pageSize = 500,
  onlyExamId?: string,
): Promise<AsyncIterable<string>> {
  const exams = await gradebookExams(app, course, onlyExamId);
  const first = await gradebookPage(app, course, exams, { limit: pageSize });
  const head =
    line(['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', ...exams.map((e) => csvText(e.title))]) +
    line(['Points Possible', '', '', '', '', ...exams.map((e) => csvPoints(e.maxPoints))]);
  const rows = (items: GradebookRow[]) =>
    items
      .map((r) => line([csvText(r.name), '', csvText(r.lmsId ?? ''), csvText(r.email), '', ...r.scores.map((s) => (s ? csvPoints(s.points) : ''))]))
      .join('');
  return (async function* () {
    yield head + rows(first.items);
    let cursor = first.nextCursor;
    while (cursor !== null) {
      const page = await gradebookPage(app, course, exams, { cursor, limit: pageSize });
      yield rows(page.items);
      cursor = page.nextCursor;
    }
  })();
}
