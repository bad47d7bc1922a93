/**
 * Autosave and graded tries of attempt questions. Everything is checked against the server
 * clock; after the deadline nothing is stored and the attempt is finished with what was saved.
 * A try is counted once: it is written only if the question is still as it was when the try
 * was graded (under the attempt's row lock, see try-sql.ts), an identical resubmission of the
 * same variant returns the first result, an Idempotency-Key retry returns the first result,
 * and (attemptQuestionId, tryNumber) is unique.
 */
import { recordFormatError } from '../stats/format-errors.js';
import { saveAnswersRow } from '../repos/attempts/save-sql.js';
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { canonicalJson, type AnswerValue, type PartResult } from '../engine/index.js';
import { attemptRef, type UserPrincipal } from '../authz/index.js';
import { assertKnownParts } from '../grading/known-parts.js';
import { conflict, notFound, unprocessable } from '../errors.js';
import { fromJson } from '../db/json.js';
import { isUniqueViolation } from '../db/errors.js';
import { finishIfExpired } from './finish.js';
import { blueprintFromText, tryCredit, type Policies } from './blueprint.js';
import { gradeAgainst, tryPoints } from './question-grading.js';
import { answersReleased } from './release.js';
import { issueExamVariant } from './start.js';
import { questionFromJson } from './attempt-rows.js';
import { tryState, writeTry, type TryWrite } from '../repos/attempts/try-sql.js';

const deadlinePassed = () => conflict('DEADLINE_PASSED', 'the deadline has passed; nothing was stored (your saved answers were graded)');

/**
 * saveAnswers(app, principal, unsafeAttemptId, position, answers): autosave before the deadline.
 * One conditional UPDATE on the hot path: the owner, still a member of the course (the
 * authoriser's rule, written into the statement), an open attempt before its deadline, a
 * question that is neither solved nor out of tries, and answers that name only the parts of
 * its current variant. The attempt row is share-locked, so a save waits for a finish in
 * progress (which locks it for update) and then finds the attempt finished, instead of landing
 * after finish graded. When nothing was saved, the state is read again to say why.
 */
export async function saveAnswers(
  app: FastifyInstance,
  principal: UserPrincipal,
  unsafeAttemptId: string,
  position: number,
  answers: Record<string, unknown>,
): Promise<{ savedAt: Date }> {
  for (let round = 0; round < 2; round++) {
    const now = app.now();
    const saved = await saveAnswersRow(app, principal, unsafeAttemptId, position, answers, now);
    if (saved) return { savedAt: now };
    await whyNotSaved(app, principal, unsafeAttemptId, position, answers);
  }
  throw conflict('TRY_CONFLICT', 'the attempt changed while the answers were saved; read it and save again');
}

/** Throws the reason a save stored nothing; returns when none holds any more (a race: save again). */
async function whyNotSaved(
  app: FastifyInstance,
  principal: UserPrincipal,
  unsafeAttemptId: string,
  position: number,
  answers: Record<string, unknown>,
): Promise<void> {
  const st = await tryState(app, unsafeAttemptId, position, principal.userId, undefined);
  if (!st) throw notFound('attempt');
  attemptRef(principal, { id: st.id, userId: st.userId, examId: st.examId, courseId: st.courseId, callerRole: st.callerRole }, 'answer');
  if (await finishIfExpired(app, st)) throw deadlinePassed();
  if (st.status !== 'OPEN') throw conflict('ATTEMPT_FINISHED', 'this attempt is finished');
  if (!st.question) throw notFound('question');
  const q = questionFromJson(st.question);
  const v = q.variants[0];
  if (!v) throw notFound('question');
  assertKnownParts(v.parts, answers);
  const p = blueprintFromText(st.blueprint).policies;
  if ((q.submissions[0]?.score ?? 0) >= 1) throw conflict('QUESTION_ENDED', 'this question is already answered correctly; nothing more is saved for it');
  if (q.triesUsed >= p.triesPerQuestion)
    throw conflict('QUESTION_ENDED', `all ${p.triesPerQuestion} tries of this question are used; nothing more is saved for it`);
}

export interface TryView {
  submissionId: string;
  position: number;
  tryNumber: number;
  score: number;
  /** Points this try earned (by the tries schedule). */
  points: number;
  /** The question's points so far (never lower than before). */
  earned: number;
  maxPoints: number;
  triesLeft: number;
  parts: PartResult[];
  /** A wrong try came back with a fresh variant: read the attempt again for its prompt. */
  newVariant: boolean;
  correctAnswers?: Record<string, AnswerValue>;
  solution?: string;
}

interface StoredTry {
  id: string;
  tryNumber: number;
  score: number;
  points: number;
  results: unknown;
  variantId: string;
  requestHash: string;
  attemptQuestionId: string | null;
}

/** Whether a try's response carries the answers: the question ended with it (solved or out of tries) or the attempt is finished, as the policy says. */
function releasedWithTry(p: Policies, score: number, triesUsed: number, attemptFinished: boolean, now: Date): boolean {
  return answersReleased(p, { attemptFinished, questionEnded: score >= 1 || triesUsed >= p.triesPerQuestion, examArchived: false, now });
}

async function tryView(app: FastifyInstance, s: StoredTry, p: Policies): Promise<TryView> {
  const q = await app.prisma.attemptQuestion.findUniqueOrThrow({
    where: { id: s.attemptQuestionId as string },
    include: { variants: { orderBy: { createdAt: 'desc' }, take: 1, select: { id: true } }, attempt: { select: { status: true } } },
  });
  const v = await app.prisma.variant.findUniqueOrThrow({ where: { id: s.variantId }, select: { answers: true, solution: true } });
  const released = releasedWithTry(p, s.score, q.triesUsed, q.attempt.status === 'FINISHED', app.now());
  return {
    submissionId: s.id,
    position: q.position,
    tryNumber: s.tryNumber,
    score: s.score,
    points: s.points,
    earned: q.overridePoints ?? q.earned,
    maxPoints: q.maxPoints,
    // A solved question has no tries left, whatever its count says.
    triesLeft: s.score >= 1 ? 0 : Math.max(0, p.triesPerQuestion - q.triesUsed),
    parts: fromJson<PartResult[]>(s.results as never),
    newVariant: q.variants[0]?.id !== s.variantId,
    ...(released ? { correctAnswers: fromJson<Record<string, AnswerValue>>(v.answers), solution: v.solution } : {}),
  };
}

const TRY_ROUNDS = 8;

/**
 * submitTry(app, user, unsafeAttemptId, position, answers, key?): grades one try; { view, replayed }.
 * Two statements when nothing races: read the state (tryState), write the try conditionally
 * (writeTry). When the write finds the attempt or question changed since the read (another tab,
 * a double click, the deadline, a finish), the state is read again and the rules decide anew.
 */
export async function submitTry(
  app: FastifyInstance,
  principal: UserPrincipal,
  unsafeAttemptId: string,
  position: number,
  answers: Record<string, unknown>,
  idempotencyKey?: string,
): Promise<{ view: TryView; replayed: boolean }> {
  for (let round = 0; round < TRY_ROUNDS; round++) {
    const st = await tryState(app, unsafeAttemptId, position, principal.userId, idempotencyKey);
    if (!st) throw notFound('attempt');
    // The owner, while in the course; staff read attempts but do not answer for students.
    attemptRef(principal, { id: st.id, userId: st.userId, examId: st.examId, courseId: st.courseId, callerRole: st.callerRole }, 'answer');
    const p = blueprintFromText(st.blueprint).policies;
    const requestHash = createHash('sha256')
      .update(canonicalJson({ attempt: st.id, position, answers }))
      .digest('hex');
    if (st.prior) {
      // A key used for a practice submission (no attempt question) is not this request either.
      if (st.prior.attemptQuestionId === null || st.prior.requestHash !== requestHash) {
        throw unprocessable('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different request');
      }
      return { view: await tryView(app, st.prior, p), replayed: true };
    }
    if (!p.gradeDuringAttempt) throw conflict('GRADED_AT_FINISH', 'this exam grades answers when the attempt finishes; save them instead');
    if (await finishIfExpired(app, st)) throw deadlinePassed();
    if (st.status !== 'OPEN') throw conflict('ATTEMPT_FINISHED', 'this attempt is finished');
    if (!st.question) throw notFound('question');
    const q = questionFromJson(st.question);
    const v = q.variants[0];
    const last = q.submissions[0];
    if (!v) throw notFound('question');
    assertKnownParts(v.parts, answers);
    // A double click or a second tab sending the same answers to the same variant: the first result.
    if (last && last.variantId === v.id && last.requestHash === requestHash) return { view: await tryView(app, last, p), replayed: true };
    if ((last?.score ?? 0) >= 1) throw conflict('ALREADY_CORRECT', 'this question is already answered correctly');
    if (q.triesUsed >= p.triesPerQuestion) throw conflict('NO_TRIES_LEFT', `all ${p.triesPerQuestion} tries of this question are used`);

    const graded = await gradeAgainst(app, v, answers);
    if (graded.formatError) {
      await recordFormatError(app, { variantId: v.id, userId: principal.userId, attemptQuestionId: q.id }, graded.parts);
      const details = graded.parts.filter((x) => x.status === 'format-error').map((x) => ({ part: x.id, message: x.feedback }));
      throw unprocessable('ANSWER_FORMAT', `could not read the answer to ${details.map((d) => d.part).join(', ')}; no try was counted`, details);
    }
    const tryNumber = q.triesUsed + 1;
    const points = tryPoints(q.maxPoints, tryCredit(p, tryNumber), graded.score);
    const earned = Math.max(q.earned, points);
    let fresh: TryWrite['fresh'];
    if (p.newVariantOnRetry && graded.score < 1 && tryNumber < p.triesPerQuestion) {
      const issued = await issueExamVariant(app, st.courseId, q.templateId);
      // The newest variant is the current one: it must sort after the one it replaces.
      const createdAt = new Date(Math.max(Date.now(), v.createdAt.getTime() + 1));
      fresh = { id: randomUUID(), versionId: issued.versionId, v: issued.v, createdAt };
    }
    const now = app.now();
    const submissionId = randomUUID();
    let counted: boolean;
    try {
      counted = await writeTry(app, {
        attemptId: st.id,
        userId: principal.userId,
        courseId: st.courseId,
        question: q,
        variantId: v.id,
        submissionId,
        tryNumber,
        answers,
        results: graded.parts,
        score: graded.score,
        points,
        earned,
        idempotencyKey,
        requestHash,
        fresh,
        now,
      });
    } catch (err) {
      // A key already used (a concurrent retry, or another request): the next read replays or refuses.
      if (!isUniqueViolation(err)) throw err;
      continue;
    }
    if (!counted) continue;
    const view: TryView = {
      submissionId,
      position: q.position,
      tryNumber,
      score: graded.score,
      points,
      earned: q.overridePoints ?? earned,
      maxPoints: q.maxPoints,
      triesLeft: graded.score >= 1 ? 0 : Math.max(0, p.triesPerQuestion - tryNumber),
      parts: graded.parts,
      newVariant: fresh !== undefined,
    };
    if (releasedWithTry(p, graded.score, tryNumber, false, now)) {
      view.correctAnswers = fromJson<Record<string, AnswerValue>>(v.answers);
      view.solution = v.solution;
    }
    return { view, replayed: false };
  }
  throw conflict('TRY_CONFLICT', 'this question changed while the try was graded; read the attempt and try again');
}
