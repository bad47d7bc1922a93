/** Exam results for instructors: attempts, scores by policy, audited point overrides, regrades; and a student's own score. */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { toleranceSchema } from '../../engine/index.js';
import { SCORE_POLICY } from '../../exams/blueprint.js';
import { examScores, listExamAttempts, myAttempts, myScore } from '../../exams/scores.js';
import { authorizeAttempt, authorizeExam } from '../../authz/index.js';
import { listPointsAudit, overrideQuestionPoints } from '../../exams/overrides-points.js';
import { regradeExam } from '../../exams/regrade.js';
import { csvFile, errors, optionalBody, pageInfo, pageQuery, uuid, urlInt } from '../schemas.js';
import { openScoresCsv, scoresFileName } from '../../exams/gradebook-csv.js';
import { Readable } from 'node:stream';

const tags = ['exam results'];
const examParams = z.strictObject({ examId: uuid });
const attemptParams = z.strictObject({ attemptId: uuid });
const questionParams = attemptParams.extend({ position: urlInt(1, 1000) });
const templateId = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a template id')
  .max(80);
const attemptStatus = z.enum(['OPEN', 'FINISHED']);
const policy = z.enum(SCORE_POLICY);

const attemptItem = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  email: z.string(),
  name: z.string(),
  number: z.number().int(),
  status: attemptStatus,
  startedAt: z.date(),
  deadline: z.date().nullable(),
  finishedAt: z.date().nullable(),
  finishedBy: z.string().nullable(),
  points: z.number(),
  maxPoints: z.number(),
  percent: z.number(),
});

const score = { points: z.number(), maxPoints: z.number(), percent: z.number(), attemptId: z.uuid().nullable() };

const scoresOut = z.object({
  examId: z.uuid(),
  policy,
  items: z.array(
    z.object({ userId: z.uuid(), email: z.string(), name: z.string(), attemptsUsed: z.number().int(), attemptsFinished: z.number().int(), ...score }),
  ),
});

const myScoreOut = z.object({
  examId: z.uuid(),
  policy,
  attemptsUsed: z.number().int(),
  attemptsFinished: z.number().int(),
  score: z.object(score).nullable(),
});

const myAttemptsOut = z.object({
  examId: z.uuid(),
  /** The window that applies to the caller, their override included. */
  window: z.object({
    opensAt: z.date().optional(),
    closesAt: z.date().optional(),
    timeLimitMinutes: z.number().int().optional(),
    maxAttempts: z.number().int(),
  }),
  attemptsLeft: z.number().int(),
  items: z.array(
    z.object({
      id: z.uuid(),
      number: z.number().int(),
      status: attemptStatus,
      startedAt: z.date(),
      deadline: z.date().nullable(),
      finishedAt: z.date().nullable(),
      maxPoints: z.number(),
      points: z.number().optional(),
    }),
  ),
});

const overrideBody = z.strictObject({
  /** null clears the override. */
  points: z.number().min(0).max(1000).nullable(),
  reason: z.string().trim().min(1).max(500),
});

const overrideOut = z.object({
  attemptId: z.uuid(),
  position: z.number().int(),
  templateId: z.string(),
  maxPoints: z.number(),
  earned: z.number(),
  overridePoints: z.number().nullable(),
  points: z.number(),
  attempt: z.object({ points: z.number(), maxPoints: z.number() }),
  auditId: z.uuid(),
});

const auditOut = z.object({
  attemptId: z.uuid(),
  items: z.array(
    z.object({
      id: z.uuid(),
      position: z.number().int(),
      templateId: z.string(),
      by: z.object({ id: z.uuid(), email: z.string().nullable(), name: z.string().nullable() }),
      previousPoints: z.number().nullable(),
      newPoints: z.number().nullable(),
      reason: z.string(),
      createdAt: z.date(),
    }),
  ),
});

const regradeFields = z.strictObject({
  dryRun: z.boolean().default(true),
  templateId: templateId.optional(),
  tolerance: toleranceSchema.optional(),
  points: z.number().positive().max(1000).optional(),
  useCurrentVersion: z.boolean().default(false),
});
// Every field is optional, so no body at all is a dry run of everything.
const regradeBody = optionalBody(regradeFields);

const regradeOut = z.object({
  dryRun: z.boolean(),
  regradeId: z.uuid().nullable(),
  changes: z.array(
    z.object({
      attemptId: z.uuid(),
      userId: z.uuid(),
      number: z.number().int(),
      before: z.number(),
      after: z.number(),
      delta: z.number(),
      maxPointsBefore: z.number(),
      maxPointsAfter: z.number(),
    }),
  ),
  overridden: z.array(
    z.object({
      attemptId: z.uuid(),
      userId: z.uuid(),
      position: z.number().int(),
      templateId: z.string(),
      overridePoints: z.number(),
      earnedBefore: z.number(),
      earnedAfter: z.number(),
      maxPointsBefore: z.number(),
      maxPointsAfter: z.number(),
    }),
  ),
  summary: z.object({
    attempts: z.number().int(),
    changed: z.number().int(),
    totalDelta: z.number(),
    questions: z.number().int(),
    submissions: z.number().int(),
    submissionsChanged: z.number().int(),
    variantsChanged: z.number().int(),
  }),
});

const examResultRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/exams/:examId/attempts',
    {
      schema: {
        tags,
        summary: "The exam's attempts, by student email and attempt number (staff)",
        params: examParams,
        querystring: pageQuery.extend({ status: attemptStatus.optional(), userId: uuid.optional() }),
        response: { 200: pageInfo.extend({ items: z.array(attemptItem) }), ...errors },
      },
    },
    async (request) => listExamAttempts(app, await authorizeExam(app.prisma, request.principal, request.params.examId, 'staff'), request.query),
  );

  app.get(
    '/exams/:examId/scores',
    {
      schema: {
        tags,
        summary: "Each student's exam score by the exam's score policy over finished attempts (staff)",
        params: examParams,
        response: { 200: scoresOut, ...errors },
      },
    },
    async (request) => examScores(app, await authorizeExam(app.prisma, request.principal, request.params.examId, 'staff')),
  );

  app.get(
    '/exams/:examId/scores.csv',
    {
      schema: {
        tags,
        summary: 'The scores as a CSV file for a gradebook import (Canvas columns), one row per student of the course (staff)',
        description:
          'Columns: Student, ID, SIS User ID, SIS Login ID (the email), Section, then the exam (headed by its title); a Points Possible row; ' +
          "then every student of the course by email, the score by the exam's policy over finished attempts, empty without one. " +
          'RFC 4180; text cells starting with = + - @ get a leading apostrophe.',
        params: examParams,
        response: { 200: csvFile('the CSV file, streamed'), ...errors },
      },
    },
    async (request, reply) => {
      const ref = await authorizeExam(app.prisma, request.principal, request.params.examId, 'staff');
      const csv = await openScoresCsv(app, ref);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${scoresFileName(ref.exam.title)}"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(csv));
    },
  );

  app.get(
    '/exams/:examId/my-score',
    {
      schema: { tags, summary: "The caller's own exam score (members)", params: examParams, response: { 200: myScoreOut, ...errors } },
    },
    async (request) => myScore(app, await authorizeExam(app.prisma, request.principal, request.params.examId)),
  );

  app.get(
    '/exams/:examId/my-attempts',
    {
      schema: {
        tags,
        summary:
          "The caller's own attempts at the exam, by number, with the window and attempts left that apply to them (their override included); points once the policy shows them (members)",
        params: examParams,
        response: { 200: myAttemptsOut, ...errors },
      },
    },
    async (request) => myAttempts(app, await authorizeExam(app.prisma, request.principal, request.params.examId)),
  );

  app.post(
    '/attempts/:attemptId/questions/:position/override',
    {
      schema: {
        tags,
        summary: "Override (or with null clear) a question's points, with a reason; audited (instructors)",
        params: questionParams,
        body: overrideBody,
        response: { 200: overrideOut, ...errors },
      },
    },
    async (request) =>
      overrideQuestionPoints(
        app,
        await authorizeAttempt(app.prisma, request.principal, request.params.attemptId, 'instructor'),
        request.params.position,
        request.body,
      ),
  );

  app.get(
    '/attempts/:attemptId/audit',
    {
      schema: {
        tags,
        summary: "The attempt's point overrides, oldest first (staff)",
        params: attemptParams,
        response: { 200: auditOut, ...errors },
      },
    },
    async (request) => listPointsAudit(app, await authorizeAttempt(app.prisma, request.principal, request.params.attemptId, 'staff')),
  );

  app.post(
    '/exams/:examId/regrade',
    {
      schema: {
        tags,
        summary: 'Re-grade stored submissions with a new tolerance, points or the current template version; dry run by default (instructors)',
        params: examParams,
        body: regradeBody,
        response: { 200: regradeOut, ...errors },
      },
    },
    async (request) => regradeExam(app, await authorizeExam(app.prisma, request.principal, request.params.examId, 'instructor'), request.body),
  );
};
export default examResultRoutes;
