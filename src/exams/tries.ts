/**
 * Autosave and graded tries of attempt questions. Everything is checked against the server
 * clock; after the deadline nothing is stored and the attempt is finished with what was saved.
 * A try is counted once: the attempt and question rows are locked while it is graded, an
 * identical resubmission of the same variant returns the first result, an Idempotency-Key
 * retry returns the first result, and (attemptQuestionId, tryNumber) is unique.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { canonicalJson, type AnswerValue, type PartResult } from '../engine/index.js';
import type { AccessClaims } from '../plugins/auth.js';
import { AppError, conflict, notFound, unprocessable } from '../errors.js';
import { fromJson, toJson } from '../db/json.js';
import { isUniqueViolation } from '../db/errors.js';
import { loadAttemptFor } from './attempt-load.js';
import { finishAttempt, finishIfExpired } from './finish.js';
import { tryCredit, type Policies } from './blueprint.js';
import { gradeAgainst, tryPoints } from './question-grading.js';
import { answersReleased } from './release.js';
import { issueExamVariant, variantData } from './start.js';

const deadlinePassed = () => conflict('DEADLINE_PASSED', 'the deadline has passed; nothing was stored (your saved answers were graded)');

/** saveAnswers(app, user, unsafeAttemptId, position, answers): autosave before the deadline. */
export async function saveAnswers(app: FastifyInstance, user: AccessClaims, unsafeAttemptId: string, position: number, answers: Record<string, unknown>): Promise<{ savedAt: Date }> {
  const now = app.now();
  // One conditional UPDATE: owner, open, before the deadline. Autosave is the hot path.
  const n = await app.prisma.$executeRaw`
    UPDATE "AttemptQuestion" q SET "savedAnswers" = ${JSON.stringify(answers)}::jsonb, "savedAt" = ${now}
    FROM "Attempt" a
    WHERE q."attemptId" = a.id AND a.id = ${unsafeAttemptId}::uuid AND q.position = ${position}
      AND a."userId" = ${user.sub}::uuid AND a.status = 'OPEN' AND (a.deadline IS NULL OR a.deadline > ${now})`;
  if (n === 1) return { savedAt: now };
  const a = await app.prisma.attempt.findUnique({ where: { id: unsafeAttemptId }, select: { id: true, userId: true, status: true, deadline: true } });
  if (!a || a.userId !== user.sub) throw notFound('attempt');
  if (await finishIfExpired(app, a)) throw deadlinePassed();
  if (a.status !== 'OPEN') throw conflict('ATTEMPT_FINISHED', 'this attempt is finished');
  throw notFound('question');
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

async function tryView(app: FastifyInstance, s: StoredTry, p: Policies): Promise<TryView> {
  const q = await app.prisma.attemptQuestion.findUniqueOrThrow({
    where: { id: s.attemptQuestionId as string },
    include: { variants: { orderBy: { createdAt: 'desc' }, take: 1, select: { id: true } }, attempt: { select: { status: true } } },
  });
  const v = await app.prisma.variant.findUniqueOrThrow({ where: { id: s.variantId }, select: { answers: true, solution: true } });
  const ended = s.score >= 1 || q.triesUsed >= p.triesPerQuestion;
  const released = answersReleased(p, { attemptFinished: q.attempt.status === 'FINISHED', questionEnded: ended, examArchived: false, now: app.now() });
  return {
    submissionId: s.id,
    position: q.position,
    tryNumber: s.tryNumber,
    score: s.score,
    points: s.points,
    earned: q.overridePoints ?? q.earned,
    maxPoints: q.maxPoints,
    triesLeft: Math.max(0, p.triesPerQuestion - q.triesUsed),
    parts: fromJson<PartResult[]>(s.results as never),
    newVariant: q.variants[0]?.id !== s.variantId,
    ...(released ? { correctAnswers: fromJson<Record<string, AnswerValue>>(v.answers), solution: v.solution } : {}),
  };
}

/** submitTry(app, user, unsafeAttemptId, position, answers, key?): grades one try; { view, replayed }. */
export async function submitTry(
  app: FastifyInstance,
  user: AccessClaims,
  unsafeAttemptId: string,
  position: number,
  answers: Record<string, unknown>,
  idempotencyKey?: string,
): Promise<{ view: TryView; replayed: boolean }> {
  const l = await loadAttemptFor(app, user, unsafeAttemptId);
  if (!l.isOwner) throw notFound('attempt');
  const p = l.blueprint.policies;
  const requestHash = createHash('sha256').update(canonicalJson({ attempt: l.attempt.id, position, answers })).digest('hex');
  const replay = async (): Promise<{ view: TryView; replayed: boolean } | undefined> => {
    if (!idempotencyKey) return undefined;
    const prior = await app.prisma.submission.findUnique({ where: { userId_idempotencyKey: { userId: user.sub, idempotencyKey } } });
    if (!prior) return undefined;
    if (prior.requestHash !== requestHash) throw unprocessable('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different request');
    return { view: await tryView(app, prior, p), replayed: true };
  };
  const early = await replay();
  if (early) return early;
  if (!p.gradeDuringAttempt) throw conflict('GRADED_AT_FINISH', 'this exam grades answers when the attempt finishes; save them instead');
  if (await finishIfExpired(app, l.attempt)) throw deadlinePassed();
  if (l.attempt.status !== 'OPEN') throw conflict('ATTEMPT_FINISHED', 'this attempt is finished');
  const q = l.attempt.questions.find((x) => x.position === position);
  if (!q) throw notFound('question');

  let outcome: { stored: StoredTry; replayed: boolean };
  try {
    outcome = await app.prisma.$transaction(
      async (tx) => {
        const now = app.now();
        const [att] = await tx.$queryRaw<{ status: string; deadline: Date | null }[]>`SELECT status, deadline FROM "Attempt" WHERE id = ${l.attempt.id}::uuid FOR UPDATE`;
        if (att?.status !== 'OPEN') throw conflict('ATTEMPT_FINISHED', 'this attempt is finished');
        if (att.deadline && att.deadline <= now) throw deadlinePassed();
        const row = await tx.attemptQuestion.findUniqueOrThrow({
          where: { id: q.id },
          include: {
            variants: { orderBy: { createdAt: 'desc' }, take: 1, include: { templateVersion: { select: { id: true, templateId: true, hash: true, template: { select: { title: true } } } } } },
            submissions: { orderBy: { tryNumber: 'desc' }, take: 1 },
          },
        });
        const last = row.submissions[0];
        const v = row.variants[0];
        if (!v) throw notFound('question');
        // A double click or a second tab sending the same answers to the same variant: the first result.
        if (last && last.variantId === v.id && last.requestHash === requestHash) return { stored: last, replayed: true };
        if ((last?.score ?? 0) >= 1) throw conflict('ALREADY_CORRECT', 'this question is already answered correctly');
        if (row.triesUsed >= p.triesPerQuestion) throw conflict('NO_TRIES_LEFT', `all ${p.triesPerQuestion} tries of this question are used`);
        const graded = await gradeAgainst(app, v, answers);
        if (graded.formatError) {
          const details = graded.parts.filter((x) => x.status === 'format-error').map((x) => ({ part: x.id, message: x.feedback }));
          throw unprocessable('ANSWER_FORMAT', `could not read the answer to ${details.map((d) => d.part).join(', ')}; no try was counted`, details);
        }
        const tryNumber = row.triesUsed + 1;
        const pts = tryPoints(row.maxPoints, tryCredit(p, tryNumber), graded.score);
        const earned = Math.max(row.earned, pts);
        const stored = await tx.submission.create({
          data: {
            variantId: v.id,
            userId: user.sub,
            attemptQuestionId: row.id,
            tryNumber,
            answers: toJson(answers),
            results: toJson(graded.parts),
            score: graded.score,
            points: pts,
            maxPoints: row.maxPoints,
            idempotencyKey: idempotencyKey ?? null,
            requestHash,
          },
        });
        await tx.attemptQuestion.update({ where: { id: row.id }, data: { triesUsed: tryNumber, earned, savedAnswers: toJson(answers), savedAt: now } });
        if (row.overridePoints === null && earned !== row.earned) {
          await tx.attempt.update({ where: { id: l.attempt.id }, data: { points: { increment: earned - row.earned } } });
        }
        if (p.newVariantOnRetry && graded.score < 1 && tryNumber < p.triesPerQuestion) {
          const fresh = await issueExamVariant(app, row.templateId);
          await tx.variant.create({ data: variantData(fresh.versionId, fresh.v, user.sub, l.attempt.exam.courseId, row.id) });
        }
        return { stored, replayed: false };
      },
      { timeout: 30_000 },
    );
  } catch (err) {
    if (isUniqueViolation(err)) {
      const r = await replay();
      if (r) return r;
      throw conflict('TRY_CONFLICT', 'this try was submitted twice at once; read the attempt for its result');
    }
    if (err instanceof AppError && err.code === 'DEADLINE_PASSED') await finishAttempt(app, l.attempt.id, 'deadline');
    throw err;
  }
  return { view: await tryView(app, outcome.stored, p), replayed: outcome.replayed };
}
