/**
 * LTI registrations (administrators): add a platform by hand, list, delete; a one-time URL for
 * dynamic registration; the tool's URLs to paste into a platform.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireAdmin } from '../../authz/index.js';
import { ownOrigin } from '../../auth/sessions.js';
import { notFound } from '../../errors.js';
import { newInvite } from '../../lti/dynamic-registration.js';
import { currentSigningKey, retireToolKey, rotateToolKey } from '../../lti/keys.js';
import { errors, noContent, uuid } from '../schemas.js';

const tags = ['lti'];
const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http or https URL' }).max(2000);
const registrationOut = z.object({
  id: z.uuid(),
  issuer: z.string(),
  clientId: z.string(),
  deploymentIds: z.array(z.string()),
  authLoginUrl: z.string(),
  tokenUrl: z.string(),
  jwksUrl: z.string(),
  platformOrigins: z.array(z.string()),
  source: z.string(),
  createdAt: z.date(),
});
const toolOut = z.object({
  loginUrl: z.string(),
  launchUrl: z.string(),
  jwksUrl: z.string(),
  deepLinkingUrl: z.string(),
  dynamicRegistrationUrl: z.string().describe('make a one-time URL with POST /lti/registration-invites'),
});

function toolUrls(request: FastifyRequest) {
  const o = ownOrigin(request) ?? '';
  return {
    loginUrl: `${o}/lti/login`,
    launchUrl: `${o}/lti/launch`,
    jwksUrl: `${o}/lti/jwks`,
    deepLinkingUrl: `${o}/lti/launch`,
    dynamicRegistrationUrl: `${o}/lti/register`,
  };
}

export default (async function ltiRegistrationRoutes(app) {
  app.get(
    '/lti/tool',
    { schema: { tags, summary: "The tool's LTI URLs, to paste into a platform (administrators)", response: { 200: toolOut, ...errors } } },
    async (request) => {
      requireAdmin(request.principal);
      return toolUrls(request);
    },
  );

  app.get(
    '/lti/registrations',
    { schema: { tags, summary: 'The registered LTI platforms (administrators)', response: { 200: z.object({ items: z.array(registrationOut) }), ...errors } } },
    async (request) => {
      requireAdmin(request.principal);
      return { items: await app.lti.registrations.list() };
    },
  );

  app.post(
    '/lti/registrations',
    {
      schema: {
        tags,
        summary: 'Registers an LTI platform by hand (administrators): its issuer, our client id there, deployments and endpoints',
        body: z.strictObject({
          issuer: z.string().trim().min(1).max(2000),
          clientId: z.string().trim().min(1).max(500),
          deploymentIds: z.array(z.string().trim().min(1).max(500)).min(1).max(100),
          authLoginUrl: httpUrl,
          tokenUrl: httpUrl,
          jwksUrl: httpUrl,
          platformOrigins: z.array(httpUrl).max(20).optional().describe("origins that may frame the launch pages (default: the issuer's and the login URL's)"),
        }),
        response: { 201: registrationOut, ...errors },
      },
    },
    async (request, reply) => {
      requireAdmin(request.principal);
      return reply.code(201).send(await app.lti.registrations.create(request.body));
    },
  );

  app.patch(
    '/lti/registrations/:registrationId',
    {
      schema: {
        tags,
        summary: "Changes a registration's deployment ids or framing origins (administrators), e.g. a deployment added in the platform",
        params: z.strictObject({ registrationId: uuid }),
        body: z.strictObject({
          deploymentIds: z.array(z.string().trim().min(1).max(500)).min(1).max(100).optional(),
          platformOrigins: z.array(httpUrl).max(20).optional(),
        }),
        response: { 200: registrationOut, ...errors },
      },
    },
    async (request) => {
      requireAdmin(request.principal);
      const r = await app.lti.registrations.update(request.params.registrationId, request.body);
      if (!r) throw notFound('registration');
      return r;
    },
  );

  app.delete(
    '/lti/registrations/:registrationId',
    {
      schema: {
        tags,
        summary: 'Deletes a registration (administrators): its launches stop; users and courses it made stay',
        params: z.strictObject({ registrationId: uuid }),
        response: { 204: noContent, ...errors },
      },
    },
    async (request, reply) => {
      requireAdmin(request.principal);
      if (!(await app.lti.registrations.remove(request.params.registrationId))) throw notFound('registration');
      app.lti.forget(request.params.registrationId);
      return reply.status(204).send(null);
    },
  );

  const keyOut = z.object({ kid: z.string(), createdAt: z.date(), retiredAt: z.date().nullable(), current: z.boolean() });
  const keysView = async () => {
    const { kid: current } = await currentSigningKey(app.prisma);
    const rows = await app.prisma.ltiToolKey.findMany({ orderBy: { createdAt: 'desc' }, select: { kid: true, createdAt: true, retiredAt: true } });
    return { items: rows.map((r) => ({ ...r, current: r.kid === current })) };
  };

  app.get(
    '/lti/keys',
    {
      schema: {
        tags,
        summary: "The tool's signing keys, newest first (administrators; public parts are at /lti/jwks)",
        response: { 200: z.object({ items: z.array(keyOut) }), ...errors },
      },
    },
    async (request) => {
      requireAdmin(request.principal);
      return keysView();
    },
  );

  app.post(
    '/lti/keys',
    {
      schema: {
        tags,
        summary: 'Rotates the signing key (administrators): a new key signs from now on; the old one stays in the JWKS until retired',
        response: { 201: z.object({ items: z.array(keyOut) }), ...errors },
      },
    },
    async (request, reply) => {
      requireAdmin(request.principal);
      await rotateToolKey(app.prisma);
      return reply.code(201).send(await keysView());
    },
  );

  app.post(
    '/lti/keys/:kid/retire',
    {
      schema: {
        tags,
        summary: 'Retires a signing key (administrators): it leaves the JWKS and signs nothing more',
        params: z.strictObject({ kid: z.string().min(1).max(100) }),
        response: { 200: z.object({ items: z.array(keyOut) }), ...errors },
      },
    },
    async (request) => {
      requireAdmin(request.principal);
      const key = await app.prisma.ltiToolKey.findUnique({ where: { kid: request.params.kid }, select: { kid: true } });
      if (!key) throw notFound('key');
      await retireToolKey(app.prisma, key.kid, app.now());
      return keysView();
    },
  );

  app.post(
    '/lti/registration-invites',
    {
      schema: {
        tags,
        summary: 'A one-time dynamic registration URL (administrators): paste it into the platform, valid for a week',
        response: { 201: z.object({ url: z.string(), expiresAt: z.date() }), ...errors },
      },
    },
    async (request, reply) => {
      requireAdmin(request.principal);
      const { invite, expiresAt } = await newInvite(app.prisma, request.principal.userId, app.now());
      return reply.code(201).send({ url: `${toolUrls(request).dynamicRegistrationUrl}?invite=${invite}`, expiresAt });
    },
  );
} satisfies FastifyPluginAsyncZod);
