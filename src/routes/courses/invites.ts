/** Invite codes: staff create and list them, instructors revoke them, anyone redeems one to join. */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { createInvite, joinCourse, listInvites, revokeInvite } from '../../courses/invites.js';
import { bearer, courseParams, errors, pageInfo, pageQuery, uuid } from '../schemas.js';
import { courseBase, courseRole } from './index.js';

const invite = z.object({
  code: z.string(),
  role: courseRole,
  maxUses: z.number().int().nullable(),
  uses: z.number().int(),
  expiresAt: z.date().nullable(),
  createdAt: z.date(),
});
const inviteListItem = invite.extend({ revokedAt: z.date().nullable() });

const createBody = z.strictObject({
  role: courseRole.default('STUDENT'),
  maxUses: z.number().int().min(1).max(10_000).optional(),
  expiresInDays: z.number().int().min(1).max(365).optional(),
});

const tags = ['invites'];

const inviteRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/courses/:courseId/invites',
    {
      preHandler: app.authenticate,
      schema: {
        tags,
        summary: 'Create an invite code (instructors; TAs for STUDENT codes only)',
        security: bearer,
        params: courseParams,
        body: createBody,
        response: { 201: invite, ...errors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createInvite(app.prisma, request.user, request.params.courseId, request.body, app.now())),
  );

  app.get(
    '/courses/:courseId/invites',
    {
      preHandler: app.authenticate,
      schema: {
        tags,
        summary: "The course's invite codes, newest first (TAs see STUDENT codes only)",
        security: bearer,
        params: courseParams,
        querystring: pageQuery,
        response: { 200: pageInfo.extend({ items: z.array(inviteListItem) }), ...errors },
      },
    },
    async (request) => listInvites(app.prisma, request.user, request.params.courseId, request.query),
  );

  app.delete(
    '/courses/:courseId/invites/:code',
    {
      preHandler: app.authenticate,
      schema: {
        tags,
        summary: 'Revoke an invite code (instructors)',
        security: bearer,
        params: z.strictObject({ courseId: uuid, code: z.string().min(1).max(64) }),
        response: { 204: z.null().describe('revoked'), ...errors },
      },
    },
    async (request, reply) => {
      await revokeInvite(app.prisma, request.user, request.params.courseId, request.params.code, app.now());
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/courses/join',
    {
      preHandler: app.authenticate,
      schema: {
        tags,
        summary: "Join a course with an invite code; the code's role becomes mine",
        security: bearer,
        body: z.strictObject({ code: z.string().trim().min(1).max(64) }),
        response: { 200: z.object({ course: courseBase, role: courseRole }), ...errors },
      },
    },
    async (request) => joinCourse(app.prisma, request.user, request.body.code, app.now()),
  );
};
export default inviteRoutes;
