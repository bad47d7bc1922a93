/**
 * The two statements of a graded try, the exam's hot path: one read (attempt, exam, the
 * question with its current variant and last try, and the submission an Idempotency-Key
 * already names), and one conditional write.
 *
 * The write counts the try only if the attempt is still open and before its deadline (its
 * row is locked, as finishing locks it) and the question is still in the state the try was
 * graded against (tries used, points, override): otherwise it writes nothing and the caller
 * reads again. A double click therefore finds the first click's try on its second read.
 */
import type { FastifyInstance } from 'fastify';
import { Prisma } from '../../generated/prisma/client.js';
import { roleIn, type CourseRole } from '../../authz/index.js';
import type { Variant as EngineVariant } from '../../engine/index.js';
import { QUESTION_JSON, SUBMISSION_JSON, type LastTry, type QuestionJson, type QuestionRow } from '../../exams/attempt-rows.js';

export interface TryState {
  id: string;
  userId: string;
  examId: string;
  /** The caller's role in the exam's course (null: not a member), for the authoriser. */
  callerRole: CourseRole | null;
  status: 'OPEN' | 'FINISHED';
  deadline: Date | null;
  courseId: string;
  /** The exam's blueprint as JSON text. */
  blueprint: string;
  /** The question at the position asked for (null: no such question). */
  question: QuestionJson | null;
  /** The submission the request's Idempotency-Key names, if any. */
  prior: LastTry | null;
}

/** tryState(app, unsafeAttemptId, position, userId, key?): one statement; undefined when the attempt does not exist. */
export async function tryState(
  app: FastifyInstance,
  unsafeAttemptId: string,
  position: number,
  userId: string,
  key: string | undefined,
): Promise<TryState | undefined> {
  const rows = await app.sql.query<TryState>(Prisma.sql`/* qg:try-read */
    SELECT a.id::text AS id, a."userId"::text AS "userId", a."examId"::text AS "examId", ${roleIn(userId, 'e."courseId"')} AS "callerRole",
           a.status::text AS status, a.deadline,
           e."courseId"::text AS "courseId", e.blueprint::text AS blueprint,
           (SELECT ${QUESTION_JSON} FROM "AttemptQuestion" q WHERE q."attemptId" = a.id AND q.position = ${position}::int) AS question,
           (SELECT ${SUBMISSION_JSON} FROM "Submission" s WHERE s."userId" = ${userId}::uuid AND s."idempotencyKey" = ${key ?? null}::text) AS prior
    FROM "Attempt" a JOIN "Exam" e ON e.id = a."examId"
    WHERE a.id = ${unsafeAttemptId}::uuid`);
  return rows[0];
}

export interface TryWrite {
  attemptId: string;
  userId: string;
  courseId: string;
  /** The question as it was read (the write is conditional on it being unchanged). */
  question: QuestionRow;
  variantId: string;
  submissionId: string;
  tryNumber: number;
  answers: Record<string, unknown>;
  results: unknown;
  score: number;
  points: number;
  /** The question's points after this try. */
  earned: number;
  idempotencyKey: string | undefined;
  requestHash: string;
  /** A fresh variant for the next try (newVariantOnRetry), if any. */
  fresh: { id: string; versionId: string; v: EngineVariant; createdAt: Date } | undefined;
  now: Date;
}

/** writeTry(app, w): true when the try was counted; false when the attempt or question changed since it was read. */
export async function writeTry(app: FastifyInstance, w: TryWrite): Promise<boolean> {
  const q = w.question;
  // What the attempt's total gains: nothing while an override replaces the question's points.
  const delta = q.overridePoints === null ? w.earned - q.earned : 0;
  const answers = JSON.stringify(w.answers);
  const f = w.fresh;
  const fresh = f
    ? JSON.stringify([
        {
          id: f.id,
          templateVersionId: f.versionId,
          seed: f.v.seed,
          params: f.v.secret.params,
          answers: f.v.secret.answers,
          parts: f.v.secret.parts,
          prompt: f.v.public.prompt,
          solution: f.v.secret.solution,
        },
      ])
    : '[]';
  const rows = await app.sql.query<{ n: number }>(Prisma.sql`/* qg:try-write */
    WITH a AS (
      SELECT id FROM "Attempt"
      WHERE id = ${w.attemptId}::uuid AND status = 'OPEN' AND (deadline IS NULL OR deadline > ${w.now}::timestamptz)
      FOR UPDATE
    ), q AS (
      UPDATE "AttemptQuestion"
      SET "triesUsed" = ${w.tryNumber}::int, earned = ${w.earned}::float8, "savedAnswers" = ${answers}::jsonb, "savedAt" = ${w.now}::timestamptz
      WHERE id = ${q.id}::uuid AND "triesUsed" = ${q.triesUsed}::int AND earned = ${q.earned}::float8
        AND "overridePoints" IS NOT DISTINCT FROM ${q.overridePoints}::float8 AND EXISTS (SELECT 1 FROM a)
      RETURNING id
    ), s AS (
      INSERT INTO "Submission" (id, "variantId", context, "userId", "attemptQuestionId", "tryNumber", answers, results, score, points, "maxPoints", "idempotencyKey", "requestHash")
      SELECT ${w.submissionId}::uuid, ${w.variantId}::uuid, 'EXAM', ${w.userId}::uuid, q.id, ${w.tryNumber}::int, ${answers}::jsonb, ${JSON.stringify(w.results)}::jsonb,
             ${w.score}::float8, ${w.points}::float8, ${q.maxPoints}::float8, ${w.idempotencyKey ?? null}::text, ${w.requestHash}::text
      FROM q
      RETURNING id
    ), total AS (
      UPDATE "Attempt" SET points = points + ${delta}::float8
      WHERE id = ${w.attemptId}::uuid AND ${delta}::float8 <> 0 AND EXISTS (SELECT 1 FROM q)
    ), fresh AS (
      INSERT INTO "Variant" (id, "templateVersionId", "userId", "courseId", context, "attemptQuestionId", seed, params, answers, parts, prompt, solution, "createdAt")
      SELECT v.id, v."templateVersionId", ${w.userId}::uuid, ${w.courseId}::uuid, 'EXAM', q.id, v.seed, v.params, v.answers, v.parts, v.prompt, v.solution, ${f?.createdAt ?? w.now}::timestamptz
      FROM jsonb_to_recordset(${fresh}::jsonb)
        AS v(id uuid, "templateVersionId" uuid, seed int, params jsonb, answers jsonb, parts jsonb, prompt text, solution text),
        q
    )
    SELECT count(*)::int AS n FROM s`);
  return rows[0]?.n === 1;
}
