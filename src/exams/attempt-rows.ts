/**
 * Attempt rows as the exam code reads them: one raw SQL statement brings an attempt, its exam,
 * and each question with its current variant and its last try (JSON built by PostgreSQL).
 * Prisma's nested includes cost one statement per relation and ~0.5 ms of client CPU each;
 * attempts are read on every request of an exam-start rush, so this runs on the driver (db/raw.ts).
 */
import { Prisma } from '../generated/prisma/client.js';
import type { QuestionVariant } from './question-grading.js';
import type { RawQuery } from '../db/raw.js';
import { roleIn, type CourseRole } from '../authz/index.js';

export interface LastTry {
  id: string;
  tryNumber: number;
  score: number;
  points: number;
  results: Prisma.JsonValue;
  answers: Prisma.JsonValue;
  variantId: string;
  requestHash: string;
  attemptQuestionId: string | null;
}

export interface QuestionRow {
  id: string;
  position: number;
  sectionIndex: number;
  templateId: string;
  maxPoints: number;
  triesUsed: number;
  earned: number;
  overridePoints: number | null;
  savedAnswers: Prisma.JsonValue | null;
  savedAt: Date | null;
  /** The current variant (the newest), as a list of zero or one. */
  variants: QuestionVariant[];
  /** The last try, as a list of zero or one. */
  submissions: LastTry[];
}

export interface AttemptRow {
  id: string;
  examId: string;
  userId: string;
  number: number;
  status: 'OPEN' | 'FINISHED';
  startedAt: Date;
  deadline: Date | null;
  finishedAt: Date | null;
  maxPoints: number;
  points: number;
  exam: { id: string; courseId: string; title: string; status: string };
  questions: QuestionRow[];
}

const SUBMISSION_JSON_TEXT = `json_build_object(
  'id', s.id, 'tryNumber', s."tryNumber", 'score', s.score, 'points', s.points, 'results', s.results, 'answers', s.answers,
  'variantId', s."variantId", 'requestHash', s."requestHash", 'attemptQuestionId', s."attemptQuestionId")`;

/** A submission (alias s) as one JSON object: a LastTry. */
export const SUBMISSION_JSON = Prisma.raw(SUBMISSION_JSON_TEXT);

/** The columns of a question (alias q) as one JSON object, its current variant and last try included. */
export const QUESTION_JSON = Prisma.raw(`json_build_object(
  'id', q.id, 'position', q.position, 'sectionIndex', q."sectionIndex", 'templateId', q."templateId",
  'maxPoints', q."maxPoints", 'triesUsed', q."triesUsed", 'earned', q.earned, 'overridePoints', q."overridePoints",
  'savedAnswers', q."savedAnswers", 'savedAt', q."savedAt",
  'variant', (SELECT json_build_object(
      'id', v.id, 'templateVersionId', v."templateVersionId", 'userId', v."userId", 'courseId', v."courseId", 'context', v.context, 'seed', v.seed,
      'params', v.params, 'answers', v.answers, 'parts', v.parts, 'prompt', v.prompt, 'solution', v.solution, 'createdAt', v."createdAt",
      'templateId', tv."templateId", 'hash', tv.hash, 'title', t.title)
    FROM "Variant" v JOIN "TemplateVersion" tv ON tv.id = v."templateVersionId" JOIN "ProblemTemplate" t ON t.id = tv."templateId"
    WHERE v."attemptQuestionId" = q.id ORDER BY v."createdAt" DESC, v.id DESC LIMIT 1),
  'last', (SELECT ${SUBMISSION_JSON_TEXT} FROM "Submission" s WHERE s."attemptQuestionId" = q.id ORDER BY s."tryNumber" DESC LIMIT 1))`);

interface VariantJson extends Omit<QuestionVariant, 'createdAt' | 'templateVersion'> {
  createdAt: string;
  templateId: string;
  hash: string;
  title: string;
}

export interface QuestionJson extends Omit<QuestionRow, 'savedAt' | 'variants' | 'submissions'> {
  savedAt: string | null;
  variant: VariantJson | null;
  last: LastTry | null;
}

/** questionFromJson(j): a QUESTION_JSON object as a QuestionRow (dates as Dates). */
export function questionFromJson(j: QuestionJson): QuestionRow {
  const v = j.variant;
  return {
    id: j.id,
    position: j.position,
    sectionIndex: j.sectionIndex,
    templateId: j.templateId,
    maxPoints: j.maxPoints,
    triesUsed: j.triesUsed,
    earned: j.earned,
    overridePoints: j.overridePoints,
    savedAnswers: j.savedAnswers,
    savedAt: j.savedAt === null ? null : new Date(j.savedAt),
    variants: v
      ? [
          {
            id: v.id,
            templateVersionId: v.templateVersionId,
            userId: v.userId,
            courseId: v.courseId,
            context: v.context,
            seed: v.seed,
            params: v.params,
            answers: v.answers,
            parts: v.parts,
            prompt: v.prompt,
            solution: v.solution,
            createdAt: new Date(v.createdAt),
            templateVersion: { id: v.templateVersionId, templateId: v.templateId, hash: v.hash, template: { title: v.title } },
          },
        ]
      : [],
    submissions: j.last ? [j.last] : [],
  };
}

/** One row of attemptQuery: the attempt's own columns, its exam's, the override's, and the questions as JSON. */
export interface AttemptQueryRow extends Omit<AttemptRow, 'exam' | 'questions'> {
  courseId: string;
  examTitle: string;
  examStatus: string;
  /** The exam's blueprint as JSON text (see blueprintFromText). */
  blueprint: string;
  /** The student's override, if any. */
  extraMinutes: number | null;
  overrideClosesAt: Date | null;
  extraAttempts: number | null;
  /** The reader's role in the exam's course (null: not a member). */
  readerRole: CourseRole | null;
  questions: QuestionJson[];
}

/** attemptQuery(db, unsafeAttemptId, readerId): the attempt with everything its views and grading need, or undefined. */
export async function attemptQuery(db: RawQuery, unsafeAttemptId: string, readerId: string): Promise<AttemptQueryRow | undefined> {
  const rows = await db.query<AttemptQueryRow>(Prisma.sql`/* qg:attempt */
    SELECT a.id::text AS id, a."examId"::text AS "examId", a."userId"::text AS "userId", a.number, a.status::text AS status,
           a."startedAt", a.deadline, a."finishedAt", a."maxPoints", a.points,
           e."courseId"::text AS "courseId", e.title AS "examTitle", e.status::text AS "examStatus", e.blueprint::text AS blueprint,
           o."extraMinutes", o."closesAt" AS "overrideClosesAt", o."extraAttempts",
           ${roleIn(readerId, 'e."courseId"')} AS "readerRole",
           COALESCE((SELECT json_agg(${QUESTION_JSON} ORDER BY q.position) FROM "AttemptQuestion" q WHERE q."attemptId" = a.id), '[]'::json) AS questions
    FROM "Attempt" a
    JOIN "Exam" e ON e.id = a."examId"
    LEFT JOIN "ExamOverride" o ON o."examId" = a."examId" AND o."userId" = a."userId"
    WHERE a.id = ${unsafeAttemptId}::uuid`);
  return rows[0];
}

/** attemptRowOf(r): the AttemptRow of an attemptQuery row. */
export function attemptRowOf(r: AttemptQueryRow): AttemptRow {
  return {
    id: r.id,
    examId: r.examId,
    userId: r.userId,
    number: r.number,
    status: r.status,
    startedAt: r.startedAt,
    deadline: r.deadline,
    finishedAt: r.finishedAt,
    maxPoints: r.maxPoints,
    points: r.points,
    exam: { id: r.examId, courseId: r.courseId, title: r.examTitle, status: r.examStatus },
    questions: r.questions.map(questionFromJson),
  };
}
