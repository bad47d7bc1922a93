/**
 * What an LMS calls with a course's API key (or an instructor signed in): roster sync and the
 * roster it keeps, and grades for polling (JSON pages with updatedSince) or as Canvas's CSV.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { authorizeCourse, authorizeExam } from '../../authz/index.js';
import { MAX_ROSTER_ROWS, rosterOf, syncRoster } from '../../lms/roster-sync.js';
import { gradesPage } from '../../lms/grades.js';
import { openGradebookCsv } from '../../exams/course-gradebook.js';
import { scoresFileName } from '../../exams/gradebook-csv.js';
import { courseParams, errors, urlInt, uuid } from '../schemas.js';
import { sendCsv, wantsCsv } from '../csv.js';

const tags = ['lms'];
const role = z.enum(['STUDENT', 'TA', 'INSTRUCTOR']);

const syncOut = z.object({
  created: z.number().int().describe('new members (an account is made for an unknown LMS id and email)'),
  updated: z.number().int().describe('members whose role changed'),
  reactivated: z.number().int().describe('members a full sync had deactivated, listed again'),
  unchanged: z.number().int(),
  deactivated: z.number().int().describe('members a full sync did not list: their access ends, their attempts and scores stay'),
  kept: z.array(z.object({ userId: z.uuid(), reason: z.string() })),
  rejected: z.array(z.object({ row: z.number().int(), lmsId: z.string().nullable(), reason: z.string() })),
});

/** Who a row is about, in quizgrad and in the LMS. */
const person = { userId: z.uuid(), lmsId: z.string().nullable(), email: z.string(), name: z.string() };

const rosterOut = z.object({
  items: z.array(
    z.object({
      ...person,
      role,
      active: z.boolean(),
      deactivatedAt: z.date().nullable(),
    }),
  ),
});

const gradesQuery = z.strictObject({
  updatedSince: z.iso.datetime({ offset: true }).optional().describe("only scores changed after this; pass the last walk's nextUpdatedSince"),
  cursor: z.string().max(500).optional().describe('nextCursor of the previous page; leave out for the first'),
  limit: urlInt(1, 1000).default(200),
});

const gradesOut = z.object({
  items: z.array(
    z.object({
      ...person,
      examId: z.uuid(),
      points: z.number(),
      maxPoints: z.number(),
      percent: z.number(),
      attemptId: z.uuid().nullable().describe('the attempt the score is (null for the average policy)'),
      attemptsFinished: z.number().int(),
      updatedAt: z.date().describe('when this score last changed'),
    }),
  ),
  nextCursor: z.string().nullable(),
  nextUpdatedSince: z.date().describe('updatedSince for the next poll (the same on every page of a walk)'),
});

const GRADES =
  'One row per student and exam with a finished attempt, scored by the exam policy, ordered by user and exam. ' +
  'With `Accept: text/csv`: the Canvas gradebook import file (Student, ID, SIS User ID = lmsId, SIS Login ID = email, Section, a column per exam, a Points Possible row).';

export default (async function lmsRoutes(app) {
  app.post(
    '/courses/:courseId/roster/sync',
    {
      config: { apiKeyScope: 'roster:write' },
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Bulk upsert of members by LMS user id (instructors); idempotent',
        description:
          'Each row is { lmsId, email, name, role: student | ta | instructor }, checked on its own: a bad row is listed under rejected with its reason, the others go through. ' +
          "With full: true, members the list leaves out are deactivated (access ends; the roster entry, attempts and scores stay; instructors are kept). An existing account's name and email are not changed.",
        params: courseParams,
        body: z.strictObject({
          full: z.boolean().describe('true: the list is the whole roster; false: add and update only'),
          members: z.array(z.unknown()).max(MAX_ROSTER_ROWS),
        }),
        response: { 200: syncOut, ...errors },
      },
    },
    async (request) => syncRoster(app, await authorizeCourse(app.prisma, request.caller, request.params.courseId, 'instructor'), request.body),
  );

  app.get(
    '/courses/:courseId/roster',
    {
      config: { apiKeyScope: 'roster:write' },
      schema: {
        tags,
        summary: 'The roster with LMS ids: current members, then those a full sync deactivated (instructors)',
        params: courseParams,
        response: { 200: rosterOut, ...errors },
      },
    },
    async (request) => ({ items: await rosterOf(app, await authorizeCourse(app.prisma, request.caller, request.params.courseId, 'instructor')) }),
  );

  app.get(
    '/courses/:courseId/grades',
    {
      config: { apiKeyScope: 'grades:read' },
      schema: {
        tags,
        summary: "The course's grades for an LMS: JSON pages for incremental polling, or Canvas's CSV (staff)",
        description: GRADES,
        params: courseParams,
        querystring: gradesQuery,
        response: { 200: gradesOut, ...errors },
      },
    },
    async (request, reply) => {
      const course = await authorizeCourse(app.prisma, request.caller, request.params.courseId, 'staff');
      if (wantsCsv(request)) return sendCsv(reply, 'grades.csv', await openGradebookCsv(app, course));
      const { updatedSince, ...page } = request.query;
      return gradesPage(app, course, { ...page, updatedSince: updatedSince ? new Date(updatedSince) : undefined });
    },
  );

  app.get(
    '/exams/:examId/grades',
    {
      config: { apiKeyScope: 'grades:read' },
      schema: {
        tags,
        summary: "One exam's grades for an LMS: JSON pages for incremental polling, or Canvas's CSV (staff)",
        description: GRADES,
        params: z.strictObject({ examId: uuid }),
        querystring: gradesQuery,
        response: { 200: gradesOut, ...errors },
      },
    },
    async (request, reply) => {
      const ref = await authorizeExam(app.prisma, request.caller, request.params.examId, 'staff');
      if (wantsCsv(request)) return sendCsv(reply, scoresFileName(ref.exam.title), await openGradebookCsv(app, ref.course, 500, ref.exam.id));
      const { updatedSince, ...page } = request.query;
      return gradesPage(app, ref.course, { ...page, examId: ref.exam.id, updatedSince: updatedSince ? new Date(updatedSince) : undefined });
    },
  );
} satisfies FastifyPluginAsyncZod);
