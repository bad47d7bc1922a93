/** Students taking exams: start, read, autosave, graded tries, finish. */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { startAttempt } from '../../exams/start.js';
import { loadAttemptFor } from '../../exams/attempt-load.js';
import { attemptView } from '../../exams/attempt-view.js';
import { saveAnswers, submitTry } from '../../exams/tries.js';
import { finishAttempt, finishIfExpired } from '../../exams/finish.js';
import { notFound } from '../../errors.js';
import { authorizeAttempt, type UserPrincipal } from '../../authz/index.js';
import { errors, uuid, urlInt } from '../schemas.js';
import { idempotencyHeaders, submissionIn } from '../practice/schemas.js';
import { attemptOut, tryOut } from './schemas.js';

const attemptParams = z.strictObject({ attemptId: uuid });
const questionParams = attemptParams.extend({ position: urlInt(1, 1000) });

const attemptRoutes: FastifyPluginAsyncZod = async (app) => {
  /** The attempt as the caller may see it now, finishing it first if its deadline passed. */
  async function currentView(principal: UserPrincipal, attemptId: string) {
    let l = await loadAttemptFor(app, principal, attemptId);
    if (await finishIfExpired(app, l.attempt)) l = await loadAttemptFor(app, principal, attemptId);
    return attemptView(l, app.now());
  }

  app.post(
    '/exams/:examId/attempts',
    {
      schema: {
        tags: ['attempts'],
        summary: 'Start an attempt (or get the open one back)',
        params: z.strictObject({ examId: uuid }),
        response: { 200: attemptOut, 201: attemptOut, ...errors },
      },
    },
    async (request, reply) => {
      const { attemptId, created, started } = await startAttempt(app, request.principal, request.params.examId);
      return reply.status(created ? 201 : 200).send(started ? attemptView(started, app.now()) : await currentView(request.principal, attemptId));
    },
  );

  app.get('/attempts/:attemptId', { schema: { tags: ['attempts'], params: attemptParams, response: { 200: attemptOut, ...errors } } }, async (request) =>
    currentView(request.principal, request.params.attemptId),
  );

  app.put(
    '/attempts/:attemptId/questions/:position/answers',
    {
      schema: {
        tags: ['attempts'],
        summary: 'Autosave answers (no grading); refused after the deadline',
        params: questionParams,
        body: submissionIn,
        response: { 200: z.object({ savedAt: z.date() }), ...errors },
      },
    },
    async (request) => saveAnswers(app, request.principal, request.params.attemptId, request.params.position, request.body.answers),
  );

  app.post(
    '/attempts/:attemptId/questions/:position/submissions',
    {
      schema: {
        tags: ['attempts'],
        summary: 'Submit a try for grading (counts a try)',
        params: questionParams,
        headers: idempotencyHeaders,
        body: submissionIn,
        response: { 200: tryOut, 201: tryOut, ...errors },
      },
    },
    async (request, reply) => {
      const { view, replayed } = await submitTry(
        app,
        request.principal,
        request.params.attemptId,
        request.params.position,
        request.body.answers,
        request.headers['idempotency-key'],
      );
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(replayed ? 200 : 201).send(view);
    },
  );

  app.post(
    '/attempts/:attemptId/finish',
    {
      schema: {
        tags: ['attempts'],
        summary: 'Finish the attempt; saved answers are graded',
        params: attemptParams,
        response: { 200: attemptOut, ...errors },
      },
    },
    async (request) => {
      // Only the owner, while in the course, finishes; course staff and anyone else find no attempt to finish.
      const ref = await authorizeAttempt(app.prisma, request.principal, request.params.attemptId, 'answer');
      if (!(await finishAttempt(app, ref.attemptId, 'student', ref.ownerId))) throw notFound('attempt');
      return currentView(request.principal, request.params.attemptId);
    },
  );
};
export default attemptRoutes;
