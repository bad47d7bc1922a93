/**
 * The two statements of starting an attempt: one read of everything the rules need (the exam,
 * the caller's role in its course, the caller's override and attempts), and one INSERT of the
 * attempt, its questions and their variants (written together or not at all).
 */
import type { FastifyInstance } from 'fastify';
import type { QuestionRow } from '../../exams/attempt-rows.js';
import { Prisma } from '../../generated/prisma/client.js';
import { roleIn } from '../../authz/index.js';

export interface StartState {
  id: string;
  courseId: string;
  title: string;
  status: 'DRAFT' | 'PUBLISHED' | 'ARCHIVED';
  /** The blueprint as JSON text (see blueprintFromText). */
  blueprint: string;
  /** The caller's role in the course (null: not a member). */
  role: 'STUDENT' | 'TA' | 'INSTRUCTOR' | null;
  extraMinutes: number | null;
  overrideClosesAt: Date | null;
  extraAttempts: number | null;
  /** The caller's attempts at this exam (deadline as ISO text). */
  mine: { id: string; status: 'OPEN' | 'FINISHED'; deadline: string | null }[];
}

/** startState(app, unsafeExamId, userId): undefined when the exam does not exist. */
export async function startState(app: FastifyInstance, unsafeExamId: string, userId: string): Promise<StartState | undefined> {
  const rows = await app.sql.query<StartState>(Prisma.sql`/* qg:start-read */
    SELECT e.id::text AS id, e."courseId"::text AS "courseId", e.title, e.status::text AS status, e.blueprint::text AS blueprint,
           ${roleIn(userId, 'e."courseId"')} AS role,
           o."extraMinutes", o."closesAt" AS "overrideClosesAt", o."extraAttempts",
           COALESCE((SELECT json_agg(json_build_object('id', a.id, 'status', a.status, 'deadline', a.deadline))
                     FROM "Attempt" a WHERE a."examId" = e.id AND a."userId" = ${userId}::uuid), '[]'::json) AS mine
    FROM "Exam" e LEFT JOIN "ExamOverride" o ON o."examId" = e.id AND o."userId" = ${userId}::uuid
    WHERE e.id = ${unsafeExamId}::uuid`);
  return rows[0];
}

export interface NewAttempt {
  id: string;
  examId: string;
  userId: string;
  number: number;
  startedAt: Date;
  deadline: Date | null;
  maxPoints: number;
}

/**
 * insertAttempt(app, attempt, questions): one statement writes the attempt, its questions and
 * their current variants. Rows come in as JSON (jsonb_to_recordset), so the statement's size
 * does not depend on the number of questions.
 * A second OPEN attempt of the same student violates a unique index (the caller settles the race).
 */
export async function insertAttempt(app: FastifyInstance, a: NewAttempt, questions: QuestionRow[]): Promise<void> {
  // Each question's current variant, with its question's id (other keys are ignored by jsonb_to_recordset).
  const variants = questions.map((q) => ({ ...q.variants[0], attemptQuestionId: q.id }));
  await app.sql.query(Prisma.sql`/* qg:start-write */
    WITH attempt AS (
      INSERT INTO "Attempt" (id, "examId", "userId", number, "startedAt", deadline, "maxPoints")
      VALUES (${a.id}::uuid, ${a.examId}::uuid, ${a.userId}::uuid, ${a.number}::int, ${a.startedAt}::timestamptz, ${a.deadline}::timestamptz, ${a.maxPoints}::float8)
    ), questions AS (
      INSERT INTO "AttemptQuestion" (id, "attemptId", position, "sectionIndex", "templateId", "maxPoints")
      SELECT q.id, ${a.id}::uuid, q.position, q."sectionIndex", q."templateId", q."maxPoints"
      FROM jsonb_to_recordset(${JSON.stringify(questions.map((q) => ({ id: q.id, position: q.position, sectionIndex: q.sectionIndex, templateId: q.templateId, maxPoints: q.maxPoints })))}::jsonb) AS q(id uuid, position int, "sectionIndex" int, "templateId" text, "maxPoints" float8)
    )
    INSERT INTO "Variant" (id, "templateVersionId", "userId", "courseId", context, "attemptQuestionId", seed, params, answers, parts, prompt, solution, "createdAt")
    SELECT v.id, v."templateVersionId", v."userId", v."courseId", 'EXAM', v."attemptQuestionId", v.seed, v.params, v.answers, v.parts, v.prompt, v.solution, v."createdAt"
    FROM jsonb_to_recordset(${JSON.stringify(variants)}::jsonb)
      AS v(id uuid, "templateVersionId" uuid, "userId" uuid, "courseId" uuid, "attemptQuestionId" uuid, seed int, params jsonb, answers jsonb, parts jsonb, prompt text, solution text, "createdAt" timestamptz)`);
}
