/** Loading an attempt with everything its views and grading need, authorised for the caller. */
import type { FastifyInstance } from 'fastify';
import { attemptRef, type AttemptAction, type UserPrincipal } from '../authz/index.js';
import { notFound } from '../errors.js';
import { blueprintFromText, type Blueprint } from './blueprint.js';
import { overrideOf, windowOf, type StudentWindow } from './window.js';
import { attemptQuery, attemptRowOf, type AttemptRow } from './attempt-rows.js';

export type { AttemptRow } from './attempt-rows.js';

export interface LoadedAttempt {
  attempt: AttemptRow;
  blueprint: Blueprint;
  window: StudentWindow;
  /** The caller owns the attempt (false: course staff reading it). */
  isOwner: boolean;
}

/**
 * loadAttemptFor(app, principal, unsafeAttemptId, action): its owner (while in the course) or
 * course staff, as the authoriser decides on the role read with the attempt; anyone else gets
 * 404. One statement.
 */
export async function loadAttemptFor(app: FastifyInstance, p: UserPrincipal, unsafeAttemptId: string, action: AttemptAction = 'read'): Promise<LoadedAttempt> {
  const r = await attemptQuery(app.sql, unsafeAttemptId, p.userId);
  if (!r) throw notFound('attempt');
  const ref = attemptRef(p, { id: r.id, userId: r.userId, examId: r.examId, courseId: r.courseId, callerRole: r.readerRole }, action);
  const isOwner = ref.as === 'owner';
  const blueprint = blueprintFromText(r.blueprint);
  return { attempt: attemptRowOf(r), blueprint, window: windowOf(blueprint.policies, overrideOf(r)), isOwner };
}
