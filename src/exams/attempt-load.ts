/** Loading an attempt with everything its views and grading need, authorised for the caller. */
import type { FastifyInstance } from 'fastify';
import type { AccessClaims } from '../plugins/auth.js';
import { notFound } from '../errors.js';
import { blueprintFromText, type Blueprint } from './blueprint.js';
import { overrideOf, windowOf, type StudentWindow } from './window.js';
import { roleOf, STAFF } from '../courses/access.js';
import { attemptQuery, attemptRowOf, type AttemptRow } from './attempt-rows.js';

export type { AttemptRow } from './attempt-rows.js';

export interface LoadedAttempt {
  attempt: AttemptRow;
  blueprint: Blueprint;
  window: StudentWindow;
  /** The caller owns the attempt (false: course staff reading it). */
  isOwner: boolean;
}

/** loadAttemptFor(app, user, unsafeAttemptId): owner or course staff; anyone else gets 404. One statement. */
export async function loadAttemptFor(app: FastifyInstance, user: AccessClaims, unsafeAttemptId: string): Promise<LoadedAttempt> {
  const r = await attemptQuery(app.sql, unsafeAttemptId, user.sub);
  if (!r) throw notFound('attempt');
  const isOwner = r.userId === user.sub;
  const role = roleOf(r.readerRole, user);
  if (!isOwner && !(role && STAFF.includes(role))) throw notFound('attempt');
  const blueprint = blueprintFromText(r.blueprint);
  return { attempt: attemptRowOf(r), blueprint, window: windowOf(blueprint.policies, overrideOf(r)), isOwner };
}
