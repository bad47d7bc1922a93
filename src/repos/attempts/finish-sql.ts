/**
 * The write of a finish: the tries graded from saved answers, their questions' points, the
 * attempt FINISHED with its total, and its attempt.finished event, in one statement of the
 * finishing transaction (so an attempt is never finished without its event).
 */
import { Prisma } from '../../generated/prisma/client.js';
import type { RawQuery } from '../../db/raw.js';
import { eventJson } from '../outbox.js';

export interface FinishTry {
  id: string;
  variantId: string;
  attemptQuestionId: string;
  tryNumber: number;
  answers: unknown;
  results: unknown;
  score: number;
  points: number;
  maxPoints: number;
  requestHash: string;
  /** The question's points after this try. */
  earned: number;
}

export interface FinishWrite {
  attemptId: string;
  courseId: string;
  examId: string;
  userId: string;
  number: number;
  maxPoints: number;
  points: number;
  finishedAt: Date;
  finishedBy: 'student' | 'deadline';
  tries: FinishTry[];
}

export async function writeFinish(tx: RawQuery, f: FinishWrite): Promise<void> {
  const rows = JSON.stringify(f.tries);
  const event = eventJson('attempt.finished', {
    attemptId: f.attemptId,
    examId: f.examId,
    userId: f.userId,
    number: f.number,
    points: f.points,
    maxPoints: f.maxPoints,
    finishedAt: f.finishedAt.toISOString(),
    finishedBy: f.finishedBy,
  });
  await tx.query(Prisma.sql`/* qg:finish-write */
    WITH tries AS (
      INSERT INTO "Submission" (id, "variantId", context, "userId", "attemptQuestionId", "tryNumber", answers, results, score, points, "maxPoints", "requestHash")
      SELECT s.id, s."variantId", 'EXAM', ${f.userId}::uuid, s."attemptQuestionId", s."tryNumber", s.answers, s.results, s.score, s.points, s."maxPoints", s."requestHash"
      FROM jsonb_to_recordset(${rows}::jsonb)
        AS s(id uuid, "variantId" uuid, "attemptQuestionId" uuid, "tryNumber" int, answers jsonb, results jsonb, score float8, points float8, "maxPoints" float8, "requestHash" text)
    ), questions AS (
      UPDATE "AttemptQuestion" q SET "triesUsed" = u."tryNumber", earned = u.earned
      FROM jsonb_to_recordset(${rows}::jsonb) AS u("attemptQuestionId" uuid, "tryNumber" int, earned float8)
      WHERE q.id = u."attemptQuestionId"
    ), event AS (
      INSERT INTO "OutboxEvent" (id, "courseId", type, payload) VALUES (gen_random_uuid(), ${f.courseId}::uuid, 'attempt.finished', ${event}::jsonb)
    )
    UPDATE "Attempt" SET status = 'FINISHED', "finishedAt" = ${f.finishedAt}::timestamptz, "finishedBy" = ${f.finishedBy}::text, points = ${f.points}::float8,
      "scoreUpdatedAt" = ${f.finishedAt}::timestamptz
    WHERE id = ${f.attemptId}::uuid`);
}
