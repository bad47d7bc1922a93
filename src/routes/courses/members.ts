/** Course membership: the roster (staff), adding, re-roling and removing members (instructors), leaving. */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { addMember, changeMemberRole, leaving, listMembers, removeMember } from '../../courses/members.js';
import { authorizeCourse } from '../../authz/index.js';
import { courseParams, errors, noContent, pageInfo, pageQuery, uuid } from '../schemas.js';
import { courseRole } from './index.js';

const member = z.object({ userId: z.uuid(), email: z.string(), name: z.string(), role: courseRole, joinedAt: z.date() });
const memberParams = z.strictObject({ courseId: uuid, userId: uuid });

const tags = ['members'];

const memberRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/courses/:courseId/members',
    {
      schema: {
        tags,
        summary: 'The course roster, instructors first (TAs and instructors)',
        params: courseParams,
        querystring: pageQuery.extend({ role: courseRole.optional() }),
        response: { 200: pageInfo.extend({ items: z.array(member) }), ...errors },
      },
    },
    async (request) => listMembers(app.prisma, await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'staff'), request.query),
  );

  app.post(
    '/courses/:courseId/members',
    {
      schema: {
        tags,
        summary: 'Add a registered user to the course (instructors)',
        params: courseParams,
        body: z.strictObject({ email: z.email().max(320), role: courseRole }),
        response: { 201: member, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await addMember(app.prisma, await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'instructor'), request.body)),
  );

  app.patch(
    '/courses/:courseId/members/:userId',
    {
      schema: {
        tags,
        summary: "Change a member's role (instructors); the last instructor cannot be demoted",
        params: memberParams,
        body: z.strictObject({ role: courseRole }),
        response: { 200: member, ...errors },
      },
    },
    async (request) =>
      changeMemberRole(
        app.prisma,
        await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'instructor'),
        request.params.userId,
        request.body.role,
      ),
  );

  app.delete(
    '/courses/:courseId/members/:userId',
    {
      schema: {
        tags,
        summary: 'Remove a member (instructors), or leave the course (yourself); the last instructor stays',
        params: memberParams,
        response: { 204: noContent, ...errors },
      },
    },
    async (request, reply) => {
      const self = leaving(request, request.params.userId);
      await removeMember(
        app.prisma,
        await authorizeCourse(app.prisma, request.principal, request.params.courseId, self ? 'member' : 'instructor'),
        request.params.userId,
      );
      return reply.status(204).send(null);
    },
  );
};
export default memberRoutes;
