/** Invite codes: staff create and list them, instructors revoke them, anyone redeems one to join. */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { createInvite, joinCourse, listInvites, revokeInvite } from '../../courses/invites.js';
import { authorizeCourse } from '../../authz/index.js';
import { courseParams, errors, noContent, pageInfo, pageQuery, uuid } from '../schemas.js';
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
/** An invite code as people type it (case and surrounding spaces are forgiven). */
export const inviteCodeIn = z.string().trim().min(1).max(64);

const inviteRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/courses/:courseId/invites',
    {
      schema: {
        tags,
        summary: 'Create an invite code (instructors; TAs for STUDENT codes only)',
        params: courseParams,
        body: createBody,
        response: { 201: invite, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createInvite(app.prisma, await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'staff'), request.body, app.now())),
  );

  app.get(
    '/courses/:courseId/invites',
    {
      schema: {
        tags,
        summary: "The course's invite codes, newest first (TAs see STUDENT codes only)",
        params: courseParams,
        querystring: pageQuery,
        response: { 200: pageInfo.extend({ items: z.array(inviteListItem) }), ...errors },
      },
    },
    async (request) => listInvites(app.prisma, await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'staff'), request.query),
  );

  app.delete(
    '/courses/:courseId/invites/:code',
    {
      schema: {
        tags,
        summary: 'Revoke an invite code (instructors)',
        params: z.strictObject({ courseId: uuid, code: z.string().min(1).max(64) }),
        response: { 204: noContent, ...errors },
      },
    },
    async (request, reply) => {
      await revokeInvite(
        app.prisma,
        await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'instructor'),
        request.params.code,
        app.now(),
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/courses/join',
    {
      schema: {
        tags,
        summary: "Join a course with an invite code; the code's role becomes mine",
        description: 'The code goes in `inviteCode`, as in registration; `code` is its deprecated alias.',
        body: z
          .strictObject({
            inviteCode: inviteCodeIn.optional(),
            code: inviteCodeIn.optional().meta({ deprecated: true, description: 'deprecated: use inviteCode' }),
          })
          .refine((b) => (b.inviteCode === undefined) !== (b.code === undefined), { message: 'give the invite code as inviteCode', path: ['inviteCode'] }),
        response: { 200: z.object({ course: courseBase, role: courseRole }), ...errors },
      },
    },
    async (request) => joinCourse(app.prisma, request.principal, request.body.inviteCode ?? request.body.code ?? '', app.now()),
  );
};
export default inviteRoutes;
