/**
 * Instructors overriding the points of one attempt question, by hand and with a reason. The
 * override replaces what grading gave in every total until it is cleared (null); each change
 * is written to PointsOverrideAudit in the same transaction as the points it changes.
 */
import type { FastifyInstance } from 'fastify';
import type { CourseRole } from '../generated/prisma/client.js';
import type { AccessClaims } from '../plugins/auth.js';
import { AppError, forbidden, notFound, unprocessable } from '../errors.js';
import { courseAccess, INSTRUCTORS, STAFF } from '../courses/access.js';
import { attemptPoints } from './scores.js';

/**
 * The attempt, authorised for course staff with one of `roles`. Anyone outside the course, and
 * a student asking about someone else's attempt, gets 404 (ids cannot be probed); a member
 * without the role gets 403.
 */
async function attemptForStaff(app: FastifyInstance, user: AccessClaims, unsafeAttemptId: string, roles: readonly CourseRole[]) {
  const attempt = await app.prisma.attempt.findUnique({ where: { id: unsafeAttemptId }, select: { id: true, userId: true, exam: { select: { courseId: true } } } });
  if (!attempt) throw notFound('attempt');
  let role: CourseRole;
  try {
    ({ role } = await courseAccess(app.prisma, user, attempt.exam.courseId));
  } catch (err) {
    if (err instanceof AppError && err.statusCode === 404) throw notFound('attempt');
    throw err;
  }
  if (role === 'STUDENT' && attempt.userId !== user.sub) throw notFound('attempt');
  if (!roles.includes(role)) throw forbidden(`this needs the role ${roles.join(' or ')} in the course`);
  return attempt;
}

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
 * overrideQuestionPoints(app, caller, unsafeAttemptId, position, {points, reason}): sets (or,
 * with null, clears) the question's override, audits it and re-totals the attempt, in one
 * transaction under the attempt's row lock (instructors of the exam's course). 422
 * POINTS_OUT_OF_RANGE above the question's maximum.
 */
export async function overrideQuestionPoints(
  app: FastifyInstance,
  caller: AccessClaims,
  unsafeAttemptId: string,
  position: number,
  input: { points: number | null; reason: string },
): Promise<OverriddenQuestion> {
  const attempt = await attemptForStaff(app, caller, unsafeAttemptId, INSTRUCTORS);
  return app.prisma.$transaction(async (tx) => {
    // The same lock tries, finishing and regrades take: the total cannot be computed from stale rows.
    await tx.$queryRaw`SELECT id FROM "Attempt" WHERE id = ${attempt.id}::uuid FOR UPDATE`;
    const q = await tx.attemptQuestion.findUnique({ where: { attemptId_position: { attemptId: attempt.id, position } } });
    if (!q) throw notFound('question');
    if (input.points !== null && input.points > q.maxPoints) {
      throw unprocessable('POINTS_OUT_OF_RANGE', `points must be between 0 and the question's ${q.maxPoints}`, { maxPoints: q.maxPoints });
    }
    const updated = await tx.attemptQuestion.update({ where: { id: q.id }, data: { overridePoints: input.points } });
    const audit = await tx.pointsOverrideAudit.create({
      data: { attemptQuestionId: q.id, byUserId: caller.sub, previousPoints: q.overridePoints, newPoints: input.points, reason: input.reason },
    });
    const all = await tx.attemptQuestion.findMany({ where: { attemptId: attempt.id }, select: { earned: true, overridePoints: true } });
    const a = await tx.attempt.update({ where: { id: attempt.id }, data: { points: attemptPoints(all) }, select: { points: true, maxPoints: true } });
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

/** listPointsAudit(app, caller, unsafeAttemptId): the attempt's override history, oldest first (staff). */
export async function listPointsAudit(app: FastifyInstance, caller: AccessClaims, unsafeAttemptId: string): Promise<{ attemptId: string; items: AuditEntry[] }> {
  const attempt = await attemptForStaff(app, caller, unsafeAttemptId, STAFF);
  const rows = await app.prisma.pointsOverrideAudit.findMany({
    where: { attemptQuestion: { attemptId: attempt.id } },
    include: { attemptQuestion: { select: { position: true, templateId: true } } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  // byUserId keeps no foreign key (the audit outlives accounts): names are looked up, may be gone.
  const users = await app.prisma.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.byUserId))] } }, select: { id: true, email: true, name: true } });
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
