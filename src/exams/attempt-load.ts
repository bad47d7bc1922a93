/** Loading an attempt with everything its views and grading need, authorised for the caller. */
import type { FastifyInstance } from 'fastify';
import type { AccessClaims } from '../plugins/auth.js';
import { notFound } from '../errors.js';
import { blueprintFromJson, type Blueprint } from './blueprint.js';
import { studentWindow, type StudentWindow } from './window.js';

export const attemptInclude = {
  exam: { select: { id: true, courseId: true, title: true, status: true, blueprint: true } },
  questions: {
    orderBy: { position: 'asc' as const },
    include: {
      variants: {
        orderBy: { createdAt: 'desc' as const },
        take: 1,
        include: { templateVersion: { select: { id: true, templateId: true, hash: true, template: { select: { title: true } } } } },
      },
      submissions: { orderBy: { tryNumber: 'desc' as const }, take: 1 },
    },
  },
};

export async function fetchAttempt(app: FastifyInstance, attemptId: string) {
  return app.prisma.attempt.findUnique({ where: { id: attemptId }, include: attemptInclude });
}

export type AttemptRow = NonNullable<Awaited<ReturnType<typeof fetchAttempt>>>;

export interface LoadedAttempt {
  attempt: AttemptRow;
  blueprint: Blueprint;
  window: StudentWindow;
  /** The caller owns the attempt (false: course staff reading it). */
  isOwner: boolean;
}

/** loadAttemptFor(app, user, unsafeAttemptId): owner or course staff; anyone else gets 404. */
export async function loadAttemptFor(app: FastifyInstance, user: AccessClaims, unsafeAttemptId: string): Promise<LoadedAttempt> {
  const attempt = await fetchAttempt(app, unsafeAttemptId);
  if (!attempt) throw notFound('attempt');
  let isOwner = attempt.userId === user.sub;
  if (!isOwner) {
    const m = await app.prisma.membership.findUnique({ where: { userId_courseId: { userId: user.sub, courseId: attempt.exam.courseId } }, select: { role: true } });
    if (!(user.adm || m?.role === 'TA' || m?.role === 'INSTRUCTOR')) throw notFound('attempt');
    isOwner = false;
  }
  const blueprint = blueprintFromJson(attempt.exam.blueprint);
  return { attempt, blueprint, window: await studentWindow(app, attempt.examId, attempt.userId, blueprint.policies), isOwner };
}
