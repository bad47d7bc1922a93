/**
 * Grades for an LMS to pull: one row per student and exam with a score (a finished attempt),
 * scored by the exam's own policy (as the gradebook), with the student's LMS id. Keyset pages
 * on (userId, examId); `updatedSince` keeps only the rows whose score changed after it (an
 * attempt finished, an override, a regrade: Attempt.scoreUpdatedAt, written by the attempt
 * writers in src/repos/attempts/).
 *
 * Incremental polling: walk the pages, then pass their `nextUpdatedSince` next time (every page
 * of a walk answers the same one). It is the time of the first page's read less a minute, not
 * the read itself: a change whose transaction began before the read
 * but committed after it carries its earlier time, and a watermark at the read's time would
 * skip it for ever. Rows of that last minute come again; a score written twice is harmless.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Prisma } from '../generated/prisma/client.js';
import type { CourseRef, Principal } from '../authz/index.js';
import { gradebookExams } from '../exams/course-gradebook.js';
import { decodeCursor, encodeCursor } from '../exams/cursor.js';
import { SCORED_ATTEMPT, scoresByStudent } from '../exams/scores.js';

export const WATERMARK_LAG_MS = 60_000;

export interface GradeRow {
  userId: string;
  lmsId: string | null;
  email: string;
  name: string;
  examId: string;
  points: number;
  maxPoints: number;
  percent: number;
  attemptId: string | null;
  attemptsFinished: number;
  updatedAt: Date;
}

/** The last row's key, and the watermark of the first page (every page of one walk answers the same nextUpdatedSince). */
const cursorKey = z.strictObject({ userId: z.uuid(), examId: z.uuid(), w: z.number().int() });
const pairRow = z.object({ userId: z.string(), examId: z.string(), updatedAt: z.date() });

export async function gradesPage(
  app: FastifyInstance,
  course: CourseRef<Principal>,
  opts: { examId?: string; updatedSince?: Date; cursor?: string; limit: number },
): Promise<{ items: GradeRow[]; nextCursor: string | null; nextUpdatedSince: Date }> {
  const after = decodeCursor(opts.cursor, cursorKey);
  const watermark = after ? after.w : app.now().getTime() - WATERMARK_LAG_MS;
  const exams = await gradebookExams(app, course, opts.examId);
  const examIds = exams.map((e) => e.id);
  const raw = examIds.length
    ? await app.prisma.$queryRaw<unknown[]>(Prisma.sql`
        SELECT a."userId"::text AS "userId", a."examId"::text AS "examId", max(coalesce(a."scoreUpdatedAt", a."finishedAt")) AS "updatedAt"
        FROM "Attempt" a
        JOIN "Membership" m ON m."userId" = a."userId" AND m."courseId" = ${course.courseId}::uuid AND m.role = 'STUDENT'
        WHERE a."examId" = ANY(${examIds}::uuid[]) AND a.status = 'FINISHED'
          ${after ? Prisma.sql`AND (a."userId", a."examId") > (${after.userId}::uuid, ${after.examId}::uuid)` : Prisma.empty}
        GROUP BY a."userId", a."examId"
        ${opts.updatedSince ? Prisma.sql`HAVING max(coalesce(a."scoreUpdatedAt", a."finishedAt")) > ${opts.updatedSince}::timestamptz` : Prisma.empty}
        ORDER BY a."userId", a."examId"
        LIMIT ${opts.limit + 1}`)
    : [];
  const pairs = z.array(pairRow).parse(raw);
  const page = pairs.slice(0, opts.limit);
  const [users, attempts] = await Promise.all([
    app.prisma.user.findMany({ where: { id: { in: [...new Set(page.map((p) => p.userId))] } }, select: { id: true, lmsId: true, email: true, name: true } }),
    app.prisma.attempt.findMany({
      where: { OR: page.map((p) => ({ userId: p.userId, examId: p.examId })) },
      select: { ...SCORED_ATTEMPT, examId: true },
    }),
  ]);
  const userById = new Map(users.map((u) => [u.id, u]));
  // Each exam's students scored by its policy at once (as the gradebook's page does).
  const cells = new Map(
    exams.map((e) => [
      e.id,
      scoresByStudent(
        e.policy,
        attempts.filter((a) => a.examId === e.id),
      ),
    ]),
  );
  const items = page.flatMap((p): GradeRow[] => {
    const user = userById.get(p.userId);
    const cell = cells.get(p.examId)?.get(p.userId);
    if (!user || !cell?.score) return [];
    return [
      {
        userId: user.id,
        lmsId: user.lmsId,
        email: user.email,
        name: user.name,
        examId: p.examId,
        ...cell.score,
        attemptsFinished: cell.attemptsFinished,
        updatedAt: p.updatedAt,
      },
    ];
  });
  const last = page.at(-1);
  return {
    items,
    nextCursor: pairs.length > opts.limit && last ? encodeCursor({ userId: last.userId, examId: last.examId, w: watermark }) : null,
    nextUpdatedSince: new Date(watermark),
  };
}
