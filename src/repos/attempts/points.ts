/**
 * The writes that change a finished or open attempt's points after grading: an instructor's
 * override of one question (with its audit row) and an applied regrade. Each runs in the
 * caller's transaction, under the attempt locks the caller holds, and inserts a score.changed
 * event for every finished attempt whose total or maximum moved (an open attempt's score is reported by
 * its attempt.finished).
 */
import type { Prisma } from '../../generated/prisma/client.js';
import { toJson } from '../../db/json.js';
import { attemptPoints } from '../../exams/scores.js';
import { emit } from '../outbox.js';

type Tx = Prisma.TransactionClient;

/** Sets (or, with null, clears) a question's override, audits it and re-totals its attempt. */
export async function writeQuestionOverride(
  tx: Tx,
  o: { attemptId: string; questionId: string; previous: number | null; points: number | null; byUserId: string; reason: string; at: Date },
) {
  const before = await tx.attempt.findUniqueOrThrow({
    where: { id: o.attemptId },
    select: { points: true, examId: true, userId: true, number: true, status: true, exam: { select: { courseId: true } } },
  });
  const updated = await tx.attemptQuestion.update({ where: { id: o.questionId }, data: { overridePoints: o.points } });
  const audit = await tx.pointsOverrideAudit.create({
    data: { attemptQuestionId: o.questionId, byUserId: o.byUserId, previousPoints: o.previous, newPoints: o.points, reason: o.reason },
  });
  const all = await tx.attemptQuestion.findMany({ where: { attemptId: o.attemptId }, select: { earned: true, overridePoints: true } });
  const points = attemptPoints(all);
  const attempt = await tx.attempt.update({
    where: { id: o.attemptId },
    data: { points, ...(points !== before.points ? { scoreUpdatedAt: o.at } : {}) },
    select: { points: true, maxPoints: true },
  });
  if (before.status === 'FINISHED' && attempt.points !== before.points) {
    await emit(tx, before.exam.courseId, 'score.changed', {
      attemptId: o.attemptId,
      examId: before.examId,
      userId: before.userId,
      number: before.number,
      points: attempt.points,
      maxPoints: attempt.maxPoints,
      previousPoints: before.points,
      via: 'override',
    });
  }
  return { updated, audit, attempt };
}

export interface RegradeWrites {
  variants: {
    id: string;
    templateVersionId: string;
    params: Prisma.InputJsonValue;
    answers: Prisma.InputJsonValue;
    parts: Prisma.InputJsonValue;
    solution: string;
  }[];
  submissions: { id: string; score: number; points: number; maxPoints: number; results: Prisma.InputJsonValue }[];
  questions: { id: string; earned: number; maxPoints: number }[];
  attempts: { id: string; points: number; maxPoints: number }[];
}

/** Writes an applied regrade, records it, and reports each finished attempt whose total moved; the Regrade row's id. */
export async function writeRegrade(
  tx: Tx,
  r: {
    exam: { id: string; courseId: string };
    byUserId: string;
    at: Date;
    spec: unknown;
    result: {
      changes: { attemptId: string; userId: string; number: number; before: number; after: number; maxPointsBefore: number; maxPointsAfter: number }[];
    };
    writes: RegradeWrites;
  },
): Promise<string> {
  const { writes } = r;
  const moved = new Set(r.result.changes.filter((c) => c.after !== c.before || c.maxPointsAfter !== c.maxPointsBefore).map((c) => c.attemptId));
  for (const v of writes.variants) {
    await tx.variant.update({
      where: { id: v.id },
      data: { templateVersionId: v.templateVersionId, params: v.params, answers: v.answers, parts: v.parts, solution: v.solution },
    });
  }
  for (const s of writes.submissions) {
    await tx.submission.update({ where: { id: s.id }, data: { score: s.score, points: s.points, maxPoints: s.maxPoints, results: s.results } });
  }
  for (const q of writes.questions) await tx.attemptQuestion.update({ where: { id: q.id }, data: { earned: q.earned, maxPoints: q.maxPoints } });
  for (const a of writes.attempts) {
    await tx.attempt.update({
      where: { id: a.id },
      data: { points: a.points, maxPoints: a.maxPoints, ...(moved.has(a.id) ? { scoreUpdatedAt: r.at } : {}) },
    });
  }
  const row = await tx.regrade.create({
    data: { examId: r.exam.id, byUserId: r.byUserId, spec: toJson(r.spec), changes: toJson(r.result) },
    select: { id: true },
  });
  // A new maximum changes the score an LMS shows (points of points possible) as much as new points do.
  const changed = r.result.changes.filter((c) => moved.has(c.attemptId));
  const finished = new Set(
    (await tx.attempt.findMany({ where: { id: { in: changed.map((c) => c.attemptId) }, status: 'FINISHED' }, select: { id: true } })).map((a) => a.id),
  );
  for (const c of changed) {
    if (!finished.has(c.attemptId)) continue;
    await emit(tx, r.exam.courseId, 'score.changed', {
      attemptId: c.attemptId,
      examId: r.exam.id,
      userId: c.userId,
      number: c.number,
      points: c.after,
      maxPoints: c.maxPointsAfter,
      previousPoints: c.before,
      via: 'regrade',
      regradeId: row.id,
    });
  }
  return row.id;
}
