/**
 * Autosave of a question's answers: one conditional UPDATE, written only while the attempt is
 * open and before its deadline, the caller owns it and is still in the course, the question
 * has tries left and is not solved, and every answer names a part of its current variant.
 */
import type { FastifyInstance } from 'fastify';
import { Prisma } from '../../generated/prisma/client.js';
import { memberOf, type UserPrincipal } from '../../authz/index.js';

/** saveAnswersRow(app, principal, unsafeAttemptId, position, answers, now): true when saved. */
export async function saveAnswersRow(
  app: FastifyInstance,
  principal: UserPrincipal,
  unsafeAttemptId: string,
  position: number,
  answers: Record<string, unknown>,
  now: Date,
): Promise<boolean> {
  const saved = await app.sql.query<{ id: string }>(Prisma.sql`/* qg:save-answers */
      WITH a AS (
        SELECT a.id, COALESCE((e.blueprint->'policies'->>'triesPerQuestion')::int, 1) AS tries
        FROM "Attempt" a JOIN "Exam" e ON e.id = a."examId"
        WHERE a.id = ${unsafeAttemptId}::uuid AND a."userId" = ${principal.userId}::uuid AND a.status = 'OPEN'
          AND (a.deadline IS NULL OR a.deadline > ${now}::timestamptz)
          AND (${principal.admin}::boolean OR ${memberOf('a."userId"', 'e."courseId"')})
        FOR SHARE OF a
      )
      UPDATE "AttemptQuestion" q SET "savedAnswers" = ${JSON.stringify(answers)}::jsonb, "savedAt" = ${now}::timestamptz
      FROM a
      WHERE q."attemptId" = a.id AND q.position = ${position}::int AND q."triesUsed" < a.tries
        AND NOT EXISTS (SELECT 1 FROM "Submission" s WHERE s."attemptQuestionId" = q.id AND s.score >= 1)
        AND NOT EXISTS (
          SELECT 1 FROM jsonb_object_keys(${JSON.stringify(answers)}::jsonb) k
          WHERE NOT EXISTS (
            SELECT 1 FROM jsonb_array_elements((SELECT v.parts FROM "Variant" v WHERE v."attemptQuestionId" = q.id ORDER BY v."createdAt" DESC, v.id DESC LIMIT 1)) p
            WHERE p->>'id' = k))
      RETURNING q.id::text AS id`);
  return saved.length === 1;
}
