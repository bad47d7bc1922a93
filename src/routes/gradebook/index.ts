/**
 * Exports for staff: the course gradebook and an exam's submissions, as JSON pages (cursor
 * pagination) or, with `Accept: text/csv`, the whole of it as a streamed CSV file.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { authorizeCourse, authorizeExam } from '../../authz/index.js';
import { gradebookExams, gradebookPage, openGradebookCsv } from '../../exams/course-gradebook.js';
import { scoresFileName } from '../../exams/gradebook-csv.js';
import { openSubmissionsCsv, submissionsPage } from '../../exams/submissions-export.js';
import { SCORE_POLICY } from '../../exams/blueprint.js';
import { errors, urlInt, uuid } from '../schemas.js';
import { sendCsv, wantsCsv } from '../csv.js';

const tags = ['exports'];
const pageQuery = (max: number, dflt: number) =>
  z.strictObject({
    cursor: z.string().max(500).optional().describe('nextCursor of the previous page; leave out for the first'),
    limit: urlInt(1, max).default(dflt),
  });

const CSV = 'With `Accept: text/csv`: every row as one CSV file (RFC 4180, streamed a page at a time; `cursor` and `limit` do not apply).';

const cell = z.object({
  examId: z.uuid(),
  points: z.number(),
  maxPoints: z.number(),
  percent: z.number(),
  attemptId: z.uuid().nullable(),
  attemptsUsed: z.number().int(),
  attemptsFinished: z.number().int(),
});

const gradebookOut = z.object({
  exams: z.array(z.object({ id: z.uuid(), title: z.string(), policy: z.enum(SCORE_POLICY), maxPoints: z.number() })),
  items: z.array(
    z.object({
      userId: z.uuid(),
      lmsId: z.string().nullable().describe('the id roster sync gave'),
      email: z.string(),
      name: z.string(),
      scores: z.array(cell.nullable()),
    }),
  ),
  nextCursor: z.string().nullable(),
});

const submissionsOut = z.object({
  items: z.array(
    z.object({
      id: z.uuid(),
      attemptId: z.uuid(),
      attemptNumber: z.number().int(),
      userId: z.uuid(),
      email: z.string(),
      name: z.string(),
      position: z.number().int(),
      templateId: z.string(),
      tryNumber: z.number().int(),
      score: z.number(),
      points: z.number(),
      maxPoints: z.number(),
      createdAt: z.date(),
      answers: z.unknown(),
      parts: z.array(z.object({ id: z.string(), status: z.string(), score: z.number(), mistake: z.string().optional() })),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export default (async function gradebookRoutes(app) {
  app.get(
    '/courses/:courseId/gradebook',
    {
      config: { apiKeyScope: 'grades:read' },
      schema: {
        tags,
        summary: 'The course gradebook: every student × every published or archived exam, each by its own score policy (staff)',
        description: `Students (role STUDENT, with or without attempts) by email; scores[i] belongs to exams[i], null without a finished attempt. ${CSV} The CSV has Canvas's columns: Student, ID, SIS User ID, SIS Login ID, Section, one column per exam, a Points Possible row.`,
        params: z.strictObject({ courseId: uuid }),
        querystring: pageQuery(500, 100),
        response: { 200: gradebookOut, ...errors },
      },
    },
    async (request, reply) => {
      const course = await authorizeCourse(app.prisma, request.caller, request.params.courseId, 'staff');
      if (wantsCsv(request)) return sendCsv(reply, 'gradebook.csv', await openGradebookCsv(app, course));
      const exams = await gradebookExams(app, course);
      const page = await gradebookPage(app, course, exams, request.query);
      return { exams, ...page };
    },
  );

  app.get(
    '/exams/:examId/results',
    {
      config: { apiKeyScope: 'grades:read' },
      schema: {
        tags,
        summary: "One exam's results: every student of the course by email, scored by the exam's policy (staff)",
        description: `The gradebook's layout for this exam alone (exams has one entry; scores[0] is null without a finished attempt). ${CSV} The CSV is the one of GET /exams/:id/scores.csv.`,
        params: z.strictObject({ examId: uuid }),
        querystring: pageQuery(500, 100),
        response: { 200: gradebookOut, ...errors },
      },
    },
    async (request, reply) => {
      const ref = await authorizeExam(app.prisma, request.caller, request.params.examId, 'staff');
      if (wantsCsv(request)) return sendCsv(reply, scoresFileName(ref.exam.title), await openGradebookCsv(app, ref.course, 500, ref.exam.id));
      const exams = await gradebookExams(app, ref.course, ref.exam.id);
      return { exams, ...(await gradebookPage(app, ref.course, exams, request.query)) };
    },
  );

  app.get(
    '/exams/:examId/submissions',
    {
      schema: {
        tags,
        summary: "Every graded try of an exam's attempts, in the order they were made (staff)",
        description: `Answers as sent; per part its status, score and named mistake. Unreadable answers (422 ANSWER_FORMAT) are not tries and are not listed. ${CSV}`,
        params: z.strictObject({ examId: uuid }),
        querystring: pageQuery(1000, 200),
        response: { 200: submissionsOut, ...errors },
      },
    },
    async (request, reply) => {
      const ref = await authorizeExam(app.prisma, request.principal, request.params.examId, 'staff');
      if (wantsCsv(request))
        return sendCsv(reply, scoresFileName(ref.exam.title).replace(/-scores\.csv$/, '-submissions.csv'), await openSubmissionsCsv(app, ref));
      return submissionsPage(app, ref, request.query);
    },
  );
} satisfies FastifyPluginAsyncZod);
