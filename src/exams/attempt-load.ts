/** Loading an attempt with everything its views and grading need, authorised for the caller. */
import type { FastifyInstance } from 'fastify';
import type { AccessClaims } from '../plugins/auth.js';
import { notFound } from '../errors.js';
import { blueprintFromText, type Blueprint } from './blueprint.js';
import { windowOf, type StudentWindow } from './window.js';
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
  if (!isOwner && !(user.adm || r.readerRole === 'TA' || r.readerRole === 'INSTRUCTOR')) throw notFound('attempt');
  const blueprint = blueprintFromText(r.blueprint);
  const override = r.extraMinutes === null ? null : { extraMinutes: r.extraMinutes, closesAt: r.overrideClosesAt, extraAttempts: r.extraAttempts ?? 0 };
  return { attempt: attemptRowOf(r), blueprint, window: windowOf(blueprint.policies, override), isOwner };
}
