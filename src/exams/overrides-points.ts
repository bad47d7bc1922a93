/**
 * Instructors overriding the points of one attempt question, by hand and with a reason. The
 * override replaces what grading gave in every total until it is cleared (null); each change
 * is written to PointsOverrideAudit in the same transaction as the points it changes.
 */
import type { FastifyInstance } from 'fastify';
import type { AttemptRef } from '../authz/index.js';
import { notFound, unprocessable } from '../errors.js';
import { writeQuestionOverride } from '../repos/attempts/points.js';

export interface OverriddenQuestion {
  attemptId: string;
  position: number;
  templateId: string;
  maxPoints: number;
  /** Points from grading. */
  earned: number;
  overridePoints: number | null;
  /** What counts: the override, or else the earned points. */
  points: number;
  attempt: { points: number; maxPoints: number };
  auditId: string;
}

/**
 * overrideQuestionPoints(app, ref (instructor), position, {points, reason}): sets (or,
 * with null, clears) the question's override, audits it and re-totals the attempt, in one
 * transaction under the attempt's row lock (instructors of the exam's course). 422
 * POINTS_OUT_OF_RANGE above the question's maximum.
 */
export async function overrideQuestionPoints(
  app: FastifyInstance,
  ref: AttemptRef,
  position: number,
  input: { points: number | null; reason: string },
): Promise<OverriddenQuestion> {
  const attempt = { id: ref.attemptId };
  return app.prisma.$transaction(async (tx) => {
    // The same lock tries, finishing and regrades take: the total cannot be computed from stale rows.
    await tx.$queryRaw`SELECT id FROM "Attempt" WHERE id = ${attempt.id}::uuid FOR UPDATE`;
    const q = await tx.attemptQuestion.findUnique({ where: { attemptId_position: { attemptId: attempt.id, position } } });
    if (!q) throw notFound('question');
    if (input.points !== null && input.points > q.maxPoints) {
      throw unprocessable('POINTS_OUT_OF_RANGE', `points must be between 0 and the question's ${q.maxPoints}`, { maxPoints: q.maxPoints });
    }
    const {
      updated,
      audit,
      attempt: a,
    } = await writeQuestionOverride(tx, {
      attemptId: attempt.id,
      questionId: q.id,
      previous: q.overridePoints,
      points: input.points,
      byUserId: ref.principal.userId,
      reason: input.reason,
      at: app.now(),
    });
    return {
      attemptId: attempt.id,
      position: updated.position,
      templateId: updated.templateId,
      maxPoints: updated.maxPoints,
      earned: updated.earned,
      overridePoints: updated.overridePoints,
      points: updated.overridePoints ?? updated.earned,
      attempt: a,
      auditId: audit.id,
    };
  });
}

export interface AuditEntry {
  id: string;
  position: number;
  templateId: string;
  by: { id: string; email: string | null; name: string | null };
  previousPoints: number | null;
  newPoints: number | null;
  reason: string;
  createdAt: Date;
}

/** listPointsAudit(app, ref (staff)): the attempt's override history, oldest first. */
export async function listPointsAudit(app: FastifyInstance, ref: AttemptRef): Promise<{ attemptId: string; items: AuditEntry[] }> {
  const attempt = { id: ref.attemptId };
  const rows = await app.prisma.pointsOverrideAudit.findMany({
    where: { attemptQuestion: { attemptId: attempt.id } },
    include: { attemptQuestion: { select: { position: true, templateId: true } } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  // byUserId keeps no foreign key (the audit outlives accounts): names are looked up, may be gone.
  const users = await app.prisma.user.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.byUserId))] } },
    select: { id: true, email: true, name: true },
  });
  const byId = new Map(users.map((u) => [u.id, u]));
  return {
    attemptId: attempt.id,
    items: rows.map((r) => ({
      id: r.id,
      position: r.attemptQuestion.position,
      templateId: r.attemptQuestion.templateId,
      by: { id: r.byUserId, email: byId.get(r.byUserId)?.email ?? null, name: byId.get(r.byUserId)?.name ?? null },
      previousPoints: r.previousPoints,
      newPoints: r.newPoints,
      reason: r.reason,
      createdAt: r.createdAt,
    })),
  };
}
