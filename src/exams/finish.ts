/**
 * Finishing an attempt, by the student or because its deadline passed (at the next touch or
 * by the periodic sweep). Saved answers that were never graded are graded now as a try, so
 * nothing a student saved before the deadline is lost. Idempotent: finishing twice is a no-op.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { canonicalJson } from '../engine/index.js';
import { toJson } from '../db/json.js';
import { blueprintFromJson, tryCredit } from './blueprint.js';
import { gradeAgainst, tryPoints } from './question-grading.js';

export type FinishedBy = 'student' | 'deadline';

export async function finishAttempt(app: FastifyInstance, attemptId: string, by: FinishedBy): Promise<void> {
  const now = app.now();
  await app.prisma.$transaction(
    async (tx) => {
      // The attempt row lock serialises finishing with tries and saves of the same attempt.
      const locked = await tx.$queryRaw<{ status: string }[]>`SELECT status FROM "Attempt" WHERE id = ${attemptId}::uuid FOR UPDATE`;
      if (locked[0]?.status !== 'OPEN') return;
      const a = await tx.attempt.findUniqueOrThrow({
        where: { id: attemptId },
        include: {
          exam: { select: { blueprint: true } },
          questions: {
            include: {
              variants: { orderBy: { createdAt: 'desc' }, take: 1, include: { templateVersion: { select: { id: true, templateId: true, hash: true, template: { select: { title: true } } } } } },
              submissions: { orderBy: { tryNumber: 'desc' }, take: 1, select: { answers: true, score: true } },
            },
          },
        },
      });
      const p = blueprintFromJson(a.exam.blueprint).policies;
      let points = 0;
      for (const q of a.questions) {
        let earned = q.earned;
        const v = q.variants[0];
        const saved = q.savedAnswers as Record<string, unknown> | null;
        const last = q.submissions[0];
        const ungraded = saved !== null && Object.keys(saved).length > 0 && (!last || canonicalJson(last.answers) !== canonicalJson(saved));
        if (v && ungraded && q.triesUsed < p.triesPerQuestion && (last?.score ?? 0) < 1) {
          const graded = await gradeAgainst(app, v, saved);
          const tryNumber = q.triesUsed + 1;
          const pts = tryPoints(q.maxPoints, tryCredit(p, tryNumber), graded.score);
          earned = Math.max(earned, pts);
          await tx.submission.create({
            data: {
              variantId: v.id,
              userId: a.userId,
              attemptQuestionId: q.id,
              tryNumber,
              answers: toJson(saved),
              results: toJson(graded.parts),
              score: graded.score,
              points: pts,
              maxPoints: q.maxPoints,
              requestHash: createHash('sha256').update(canonicalJson({ finish: q.id, saved })).digest('hex'),
            },
          });
          await tx.attemptQuestion.update({ where: { id: q.id }, data: { triesUsed: tryNumber, earned } });
        }
        points += q.overridePoints ?? earned;
      }
      // An attempt finished late by the sweep still counts as finished at its deadline.
      const finishedAt = by === 'deadline' && a.deadline && a.deadline < now ? a.deadline : now;
      await tx.attempt.update({ where: { id: attemptId }, data: { status: 'FINISHED', finishedAt, finishedBy: by, points } });
    },
    { timeout: 30_000 },
  );
}

/** finishIfExpired(app, attempt): true when the attempt's deadline has passed (and it is now finished). */
export async function finishIfExpired(app: FastifyInstance, a: { id: string; status: string; deadline: Date | null }): Promise<boolean> {
  if (a.status !== 'OPEN' || !a.deadline || a.deadline > app.now()) return false;
  await finishAttempt(app, a.id, 'deadline');
  return true;
}

/** sweepExpired(app): finishes every open attempt past its deadline; returns how many. */
export async function sweepExpired(app: FastifyInstance, batch = 200): Promise<number> {
  const due = await app.prisma.attempt.findMany({ where: { status: 'OPEN', deadline: { lte: app.now() } }, select: { id: true }, take: batch });
  for (const a of due) {
    try {
      await finishAttempt(app, a.id, 'deadline');
    } catch (err) {
      app.log.error({ err, attemptId: a.id }, 'could not finish an expired attempt; will retry at the next sweep');
    }
  }
  return due.length;
}
