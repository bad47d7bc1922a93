/**
 * Submitting answers to a practice variant. A practice variant is graded once; the response
 * then releases the correct answers and the worked solution. Exactly-once storage:
 * - an Idempotency-Key makes a retry return the first result (same key, other body → 422);
 * - the unique (variantId, tryNumber) makes two racing submissions store one row;
 * - answers that cannot be read are refused (422) before anything is stored.
 */
import { recordFormatError } from '../stats/format-errors.js';
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { canonicalJson, type AnswerValue, type PartResult } from '../engine/index.js';
import { gradeVariant } from '../catalogue/evaluate.js';
import { variantAccess, type UserPrincipal } from '../authz/index.js';
import { assertKnownParts } from '../grading/known-parts.js';
import { conflict, notFound, unprocessable } from '../errors.js';
import { engineVariant, practiceLockCheck } from './variants.js';
import { fromJson } from '../db/json.js';
import type { Prisma } from '../generated/prisma/client.js';

export interface SubmissionView {
  submissionId: string;
  variantId: string;
  score: number;
  points: number;
  maxPoints: number;
  parts: PartResult[];
  correctAnswers: Record<string, AnswerValue>;
  solution: string;
  createdAt: Date;
}

interface StoredSubmission {
  id: string;
  variantId: string;
  score: number;
  points: number;
  maxPoints: number;
  results: Prisma.JsonValue;
  requestHash: string;
  createdAt: Date;
}

async function viewOf(app: FastifyInstance, s: StoredSubmission): Promise<SubmissionView> {
  const v = await app.prisma.variant.findUniqueOrThrow({ where: { id: s.variantId }, select: { answers: true, solution: true } });
  return {
    submissionId: s.id,
    variantId: s.variantId,
    score: s.score,
    points: s.points,
    maxPoints: s.maxPoints,
    parts: fromJson<PartResult[]>(s.results),
    correctAnswers: fromJson<Record<string, AnswerValue>>(v.answers),
    solution: v.solution,
    createdAt: s.createdAt,
  };
}

async function replayByKey(app: FastifyInstance, userId: string, key: string, requestHash: string): Promise<SubmissionView | undefined> {
  const prior = await app.prisma.submission.findUnique({ where: { userId_idempotencyKey: { userId, idempotencyKey: key } } });
  if (!prior) return undefined;
  // A key used for an exam try is not replayed here: that result belongs to the exam's policy.
  if (prior.context !== 'PRACTICE' || prior.requestHash !== requestHash) {
    throw unprocessable('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different request');
  }
  return viewOf(app, prior);
}

/**
 * submitPractice(app, user, unsafeVariantId, answers, key?): grades and stores once.
 * Returns { view, replayed }: replayed is true when an earlier identical request's result is returned.
 *
 * The first submission, the hot path, costs two statements, each shared with the concurrent
 * submits (batches.ts): read the variant, insert the row.
 * Retries and repeats are found by the unique indexes the insert runs into, (variantId,
 * tryNumber) and (userId, idempotencyKey), not by looking first: a retry with its key, a racing
 * duplicate and a key reused for another request all end in alreadySubmitted, which replays or
 * refuses. The grading rules come from the cached template version, not from joins.
 */
export async function submitPractice(
  app: FastifyInstance,
  principal: UserPrincipal,
  unsafeVariantId: string,
  answers: Record<string, unknown>,
  idempotencyKey?: string,
): Promise<{ view: SubmissionView; replayed: boolean }> {
  const requestHash = createHash('sha256')
    .update(canonicalJson({ variantId: unsafeVariantId, answers }))
    .digest('hex');
  // The two hot statements are raw SQL on the driver, batched with those of concurrent submits
  // (batches.ts): Prisma's model queries cost several times the CPU per call, and every
  // graded answer comes here.
  // The batch reads practice variants only (an exam variant is not found here, whoever asks).
  const row = await app.practiceBatches.readVariant(unsafeVariantId);
  // Only the owner, while in the course, submits; anyone else's variant looks missing.
  const access =
    row && variantAccess(principal, { id: row.id, userId: row.userId, context: row.context, ownerRole: row.ownerRole, callerRole: null }, 'PRACTICE', true);
  if (!row || access !== 'owner') {
    // A retry whose key was already used answers with that key's result or refusal, as before
    // the variant was looked at.
    if (idempotencyKey) {
      const prior = await replayByKey(app, principal.userId, idempotencyKey, requestHash);
      if (prior) return { view: prior, replayed: true };
    }
    throw notFound('variant');
  }
  assertKnownParts(row.parts, answers);

  const version = await app.catalogue.version(row.templateVersionId);
  await practiceLockCheck(app, principal, row.courseId, { id: version.templateId, topic: version.compiled.template.topic });
  const compiled = version.compiled;
  const result = await gradeVariant(app, version, engineVariant(row, version.templateId, compiled.hash, compiled.template.title), answers);
  if (result.formatError) {
    // An already graded variant (or a used key) says so first, whatever the new answers are.
    const done = await app.prisma.submission.findFirst({ where: { variantId: row.id }, select: { id: true } });
    if (done) return alreadySubmitted(app, principal.userId, idempotencyKey, requestHash);
    if (idempotencyKey) {
      const prior = await replayByKey(app, principal.userId, idempotencyKey, requestHash);
      if (prior) return { view: prior, replayed: true };
    }
    await recordFormatError(app, { variantId: row.id, userId: principal.userId, attemptQuestionId: null }, result.parts);
    const details = result.parts.filter((p) => p.status === 'format-error').map((p) => ({ part: p.id, message: p.feedback }));
    throw unprocessable('ANSWER_FORMAT', `could not read the answer to ${details.map((d) => d.part).join(', ')}; it was not graded`, details);
  }
  const stored = await app.practiceBatches.storeSubmission({
    id: randomUUID(),
    variantId: row.id,
    userId: principal.userId,
    answers,
    results: result.parts,
    score: result.score,
    points: result.points,
    maxPoints: result.maxPoints,
    idempotencyKey: idempotencyKey ?? null,
    requestHash,
  });
  // Refused by a unique index: this variant is graded already, or the key was used.
  if (!stored) return alreadySubmitted(app, principal.userId, idempotencyKey, requestHash);
  return {
    view: {
      submissionId: stored.id,
      variantId: row.id,
      score: result.score,
      points: result.points,
      maxPoints: result.maxPoints,
      parts: result.parts,
      correctAnswers: fromJson<Record<string, AnswerValue>>(row.answers),
      solution: row.solution,
      createdAt: stored.createdAt,
    },
    replayed: false,
  };
}

/**
 * The variant has a submission. If it is this very request (same key, committed by a
 * concurrent duplicate since our first look), replay it; otherwise it is a conflict.
 */
async function alreadySubmitted(
  app: FastifyInstance,
  userId: string,
  key: string | undefined,
  requestHash: string,
): Promise<{ view: SubmissionView; replayed: boolean }> {
  if (key) {
    const prior = await replayByKey(app, userId, key, requestHash);
    if (prior) return { view: prior, replayed: true };
  }
  throw conflict('ALREADY_SUBMITTED', 'this practice variant was already graded; ask for a new variant');
}
