/**
 * LTI routes of the signed-in web app: an instructor pulls the course's roster from the
 * platform (NRPS); the deep-linking picker reads its request (the course's published exams) and
 * answers it with the exam picked.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { authorizeCourse, authorizeExam } from '../../authz/index.js';
import { ownOrigin } from '../../auth/sessions.js';
import { AppError, notFound } from '../../errors.js';
import { blueprintFromJson, blueprintMaxPoints } from '../../exams/blueprint.js';
import { answerDeepLink } from '../../lti/deep-linking.js';
import { syncRoster } from '../../lti/nrps.js';
import { courseParams, errors, uuid } from '../schemas.js';

const tags = ['lti'];
const deepLinkParams = z.strictObject({ deepLinkId: uuid });

export default (async function ltiCourseRoutes(app) {
  app.post(
    '/courses/:courseId/lti/roster-sync',
    {
      schema: {
        tags,
        summary: "Pulls the course's roster from its LTI platform (NRPS) and enrols its members with their roles (instructors)",
        params: courseParams,
        response: {
          200: z.object({
            members: z.number().int(),
            added: z.number().int(),
            changed: z.number().int(),
            unchanged: z.number().int(),
            skipped: z.number().int(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const course = await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'instructor');
      return syncRoster(app.prisma, app.lti.tokens, course);
    },
  );

  const deepLinkOf = async (userId: string, id: string) => {
    const dl = await app.prisma.ltiDeepLink.findUnique({ where: { id } });
    // Someone else's request is "not found": ids cannot be probed.
    if (!dl || dl.userId !== userId) throw notFound('deep link');
    return dl;
  };

  app.get(
    '/lti/deep-links/:deepLinkId',
    {
      schema: {
        tags,
        summary: 'A deep-linking request of the caller: its course and the published exams it can place in the platform',
        params: deepLinkParams,
        response: {
          200: z.object({
            id: z.uuid(),
            courseId: z.uuid(),
            expiresAt: z.date(),
            answered: z.boolean(),
            exams: z.array(z.object({ id: z.uuid(), title: z.string(), maxPoints: z.number() })),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const dl = await deepLinkOf(request.principal.userId, request.params.deepLinkId);
      const course = await authorizeCourse(app.prisma, request.principal, dl.courseId, 'instructor');
      const exams = await app.prisma.exam.findMany({ where: { courseId: course.courseId, status: 'PUBLISHED' }, orderBy: { createdAt: 'asc' } });
      return {
        id: dl.id,
        courseId: dl.courseId,
        expiresAt: dl.expiresAt,
        answered: dl.ticketHash !== null,
        exams: exams.map((e) => ({ id: e.id, title: e.title, maxPoints: blueprintMaxPoints(blueprintFromJson(e.blueprint)) })),
      };
    },
  );

  app.post(
    '/lti/deep-links/:deepLinkId/response',
    {
      schema: {
        tags,
        summary: 'Answers a deep-linking request with an exam: the URL of the page that returns the signed response to the platform',
        params: deepLinkParams,
        body: z.strictObject({ examId: uuid }),
        response: { 200: z.object({ url: z.string() }), ...errors },
      },
    },
    async (request) => {
      const dl = await deepLinkOf(request.principal.userId, request.params.deepLinkId);
      const exam = await authorizeExam(app.prisma, request.principal, request.body.examId, 'instructor');
      if (exam.exam.courseId !== dl.courseId) throw notFound('exam');
      if (exam.exam.status !== 'PUBLISHED') throw new AppError(409, 'EXAM_NOT_AVAILABLE', 'only a published exam can be placed in the platform');
      const origin = ownOrigin(request) ?? '';
      const ticket = await answerDeepLink(
        app.prisma,
        dl.id,
        request.principal.userId,
        { id: exam.exam.id, title: exam.exam.title, maxPoints: blueprintMaxPoints(exam.blueprint) },
        origin,
        app.now(),
      );
      return { url: `/lti/deep-link-return/${ticket}` };
    },
  );
} satisfies FastifyPluginAsyncZod);
