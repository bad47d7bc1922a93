/** Practice mode: a fresh variant on demand, one graded submission, then answers released. */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { issuePractice, readPracticeVariant, variantDetail } from '../../practice/variants.js';
import { submitPractice } from '../../practice/submit.js';
import { practiceHistory } from '../../practice/history.js';
import { authorizeCourse, authorizeVariant } from '../../authz/index.js';
import { courseParams, errors, pageInfo, pageQuery, uuid } from '../schemas.js';
import { idempotencyHeaders, submissionIn, submissionOut, variantOut } from './schemas.js';

const variantDetailOut = variantOut.extend({
  submission: submissionOut.nullable(),
  /** Staff reading a student's variant also see its answers. */
  correctAnswers: z.record(z.string(), z.unknown()).optional(),
  solution: z.string().optional(),
});

const historyItem = z.object({
  variantId: z.string(),
  templateId: z.string(),
  title: z.string(),
  topic: z.string(),
  createdAt: z.date(),
  score: z.number().nullable(),
  submittedAt: z.date().nullable(),
});

const practiceRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/courses/:courseId/practice',
    {
      schema: {
        tags: ['practice'],
        summary: 'Get a fresh variant of a template, or of a random template of a topic',
        params: courseParams,
        body: z
          .strictObject({ templateId: z.string().min(1).max(80).optional(), topic: z.string().min(1).max(80).optional() })
          .refine((b) => (b.templateId === undefined) !== (b.topic === undefined), { message: 'give exactly one of templateId or topic' }),
        response: { 201: variantOut, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(await issuePractice(app, request.principal, request.params.courseId, request.body)),
  );

  app.get(
    '/variants/:variantId',
    {
      schema: {
        tags: ['practice'],
        summary: "A practice variant of mine (course staff: any student's), answers once released",
        params: z.strictObject({ variantId: uuid }),
        response: { 200: variantDetailOut, ...errors },
      },
    },
    async (request) => {
      // Practice variants only: an exam variant is reached through its attempt, under its policy.
      const ref = await authorizeVariant(app, request.principal, request.params.variantId, 'PRACTICE');
      return variantDetail(await readPracticeVariant(app, ref), ref);
    },
  );

  app.post(
    '/variants/:variantId/submissions',
    {
      schema: {
        tags: ['practice'],
        summary: 'Submit answers; graded at once, then the answers and solution are released',
        description: 'Send an Idempotency-Key header to make retries safe: a retry returns the first result.',
        params: z.strictObject({ variantId: uuid }),
        headers: idempotencyHeaders,
        body: submissionIn,
        response: { 200: submissionOut, 201: submissionOut, ...errors },
      },
    },
    async (request, reply) => {
      const { view, replayed } = await submitPractice(
        app,
        request.principal,
        request.params.variantId,
        request.body.answers,
        request.headers['idempotency-key'],
      );
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(replayed ? 200 : 201).send(view);
    },
  );

  app.get(
    '/courses/:courseId/practice/history',
    {
      schema: {
        tags: ['practice'],
        summary: 'My practice variants in this course, newest first',
        params: courseParams,
        querystring: pageQuery,
        response: { 200: z.object({ items: z.array(historyItem) }).extend(pageInfo.shape), ...errors },
      },
    },
    async (request) => {
      const course = await authorizeCourse(app.prisma, request.principal, request.params.courseId);
      return practiceHistory(app, course, request.query.page, request.query.pageSize);
    },
  );
};
export default practiceRoutes;
