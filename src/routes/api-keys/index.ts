/** A course's API keys (instructors, signed in): create (the key shown in that response only), list, revoke. */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { API_SCOPES, authorizeCourse } from '../../authz/index.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../../lms/api-keys.js';
import { courseParams, errors, uuid } from '../schemas.js';

const tags = ['api keys'];
const keyOut = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe('the first characters of the key, to tell keys apart'),
  scopes: z.array(z.enum(API_SCOPES)),
  createdAt: z.date(),
  expiresAt: z.date().nullable(),
  lastUsedAt: z.date().nullable().describe('to the minute'),
  revokedAt: z.date().nullable(),
});

export default (async function apiKeyRoutes(app) {
  app.post(
    '/courses/:courseId/api-keys',
    {
      schema: {
        tags,
        summary: 'Creates an API key for the course (instructors); the key is in this response only',
        description:
          'Send it as `Authorization: Bearer qgk_…`. It reaches this course only, and only the routes that accept one of its scopes: ' +
          '`roster:write` (roster sync), `grades:read` (grades, gradebook), `exams:read` (exams, overrides), `exams:write` (per-student overrides).',
        params: courseParams,
        body: z.strictObject({
          name: z.string().trim().min(1).max(100),
          scopes: z.array(z.enum(API_SCOPES)).min(1).max(API_SCOPES.length),
          expiresAt: z.iso.datetime({ offset: true }).optional().describe('leave out for a key that does not expire'),
        }),
        response: { 201: keyOut.extend({ key: z.string().describe('shown once') }), ...errors },
      },
    },
    async (request, reply) => {
      const ref = await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'instructor');
      const { name, scopes, expiresAt } = request.body;
      reply.status(201).header('cache-control', 'no-store');
      return createApiKey(app, ref, { name, scopes, expiresAt: expiresAt ? new Date(expiresAt) : undefined });
    },
  );

  app.get(
    '/courses/:courseId/api-keys',
    {
      schema: {
        tags,
        summary: "The course's API keys, newest first, revoked ones included (instructors)",
        params: courseParams,
        response: { 200: z.object({ items: z.array(keyOut) }), ...errors },
      },
    },
    async (request) => ({ items: await listApiKeys(app.prisma, await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'instructor')) }),
  );

  app.delete(
    '/courses/:courseId/api-keys/:keyId',
    {
      schema: {
        tags,
        summary: 'Revokes an API key at once (instructors); it stays listed, revoked',
        params: courseParams.extend({ keyId: uuid }),
        response: { 200: keyOut, ...errors },
      },
    },
    async (request) => revokeApiKey(app, await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'instructor'), request.params.keyId),
  );
} satisfies FastifyPluginAsyncZod);
