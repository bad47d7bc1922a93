/**
 * The tool's fixed, public LTI URLs (outside /api/v1; registered routes, so the app's SPA
 * fallback never answers them): the JWKS, the OIDC login (GET and POST), the launch (the
 * platform's form POST of id_token and state), dynamic registration, the deep-linking return
 * form, and the two static scripts those pages use. Each carries its own credentials (a signed
 * id_token, a one-time state, invite or ticket). Refusals are 4xx: an HTML page for a browser,
 * the usual error JSON otherwise.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ownOrigin } from '../../auth/sessions.js';
import { AppError } from '../../errors.js';
import { toErrorBody } from '../../plugins/errors.js';
import { currentSigningKey, publishedKeys } from '../../lti/keys.js';
import { loginParams, startLogin } from '../../lti/login.js';
import { verifyLaunch } from '../../lti/verify.js';
import { handleLaunch } from '../../lti/launch.js';
import { dynamicRegister } from '../../lti/dynamic-registration.js';
import { takeDeepLinkResponse } from '../../lti/deep-linking.js';
import { originOf } from '../../net/origin.js';
import { errors } from '../schemas.js';
import { AUTOSUBMIT_JS, CLOSE_JS, escapeHtml, sendPage } from './pages.js';

const tags = ['lti'];
const html = z.string().describe('an HTML page');
const redirect = z.null().describe('a redirect (Location)');
const launchForm = z.object({ id_token: z.string().min(1).max(20_000), state: z.string().min(1).max(200) });

function toolOrigin(request: FastifyRequest): string {
  const o = ownOrigin(request);
  if (!o) throw new AppError(400, 'BAD_REQUEST', 'the request has no usable Host');
  return o;
}

export default (async function ltiToolRoutes(app) {
  // The platform posts forms (login, launch): parsed here only, the API stays JSON.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 65_536 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
  });

  const frameAll = async () => ["'self'", ...(await app.lti.registrations.frameOrigins())];
  // A platform registering dynamically is not registered yet: its refusal page must still show in its frame.
  const registeringOrigin = (request: FastifyRequest): string[] => {
    if (!request.url.startsWith('/lti/register?')) return [];
    const o = originOf(new URLSearchParams(request.url.slice('/lti/register?'.length)).get('openid_configuration') ?? '');
    return o && /^https?:\/\/[^\s;,']+$/.test(o) ? [o] : [];
  };

  app.setErrorHandler(async (err, request, reply) => {
    const body = toErrorBody(err);
    if (body.statusCode >= 500) request.log.error({ err }, 'LTI request failed');
    if (!(request.headers.accept ?? '').includes('text/html')) return reply.status(body.statusCode).send(body);
    return sendPage(
      reply,
      body.statusCode,
      { title: 'LTI launch refused', body: `<h1>This launch did not work</h1><p>${escapeHtml(body.message)}</p><p>Code: <code>${body.code}</code></p>` },
      { frameAncestors: [...(await frameAll()), ...registeringOrigin(request)] },
    );
  });

  app.get(
    '/lti/jwks',
    {
      schema: {
        tags,
        summary: "The tool's public keys (JWKS): the current key and older ones not yet retired",
        response: { 200: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) },
      },
    },
    async (_request, reply) => {
      await currentSigningKey(app.prisma);
      void reply.header('cache-control', 'public, max-age=300');
      return publishedKeys(app.prisma);
    },
  );

  const login = async (request: FastifyRequest, reply: FastifyReply, params: unknown) => {
    const parsed = loginParams.safeParse(params);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new AppError(400, 'VALIDATION_ERROR', `${i.path.join('.') || 'login'}: ${i.message}`);
    }
    const url = await startLogin(app.prisma, app.lti.registrations, parsed.data, toolOrigin(request), app.now());
    return reply.header('cache-control', 'no-store').redirect(url, 302);
  };
  const loginSchema = {
    tags,
    summary: 'OIDC third-party initiated login: stores a one-time state and nonce, redirects to the platform',
    response: { 302: redirect, ...errors },
  };
  // Documented here, checked by loginParams in the handler (one message for GET and POST).
  const loginQuery = z.looseObject(Object.fromEntries(Object.keys(loginParams.shape).map((k) => [k, z.string().optional()])));
  app.get('/lti/login', { schema: { ...loginSchema, querystring: loginQuery } }, (request, reply) => login(request, reply, request.query));
  app.post('/lti/login', { schema: { ...loginSchema, body: z.record(z.string(), z.string()) } }, (request, reply) => login(request, reply, request.body));

  app.post(
    '/lti/launch',
    {
      schema: {
        tags,
        summary: 'The launch: the platform form-posts id_token and state; the tool verifies, provisions and hands the sign-in to the web app',
        body: z.record(z.string(), z.string()),
        response: { 302: redirect, ...errors },
      },
    },
    async (request, reply) => {
      const form = launchForm.safeParse(request.body);
      if (!form.success) throw new AppError(400, 'VALIDATION_ERROR', `the launch needs id_token and state (${form.error.issues[0].path.join('.')})`);
      const now = app.now();
      const launch = await verifyLaunch({ prisma: app.prisma, keys: app.lti.platformKeys }, form.data, now);
      const next = await handleLaunch(app.prisma, launch, now);
      return reply.header('cache-control', 'no-store').redirect(next, 302);
    },
  );

  app.get(
    '/lti/register',
    {
      schema: {
        tags,
        summary: 'LTI Dynamic Registration: the platform opens this with openid_configuration and registration_token (plus an administrator\u2019s invite)',
        querystring: z.object({
          openid_configuration: z.url().max(2000),
          registration_token: z.string().max(4000).optional(),
          invite: z.string().min(1).max(200),
        }),
        response: { 200: html, ...errors },
      },
    },
    async (request, reply) => {
      const reg = await dynamicRegister(
        { prisma: app.prisma, registrations: app.lti.registrations, fetch: app.lti.fetch },
        request.query,
        toolOrigin(request),
        app.now(),
      );
      const frame = ["'self'", originOf(request.query.openid_configuration) ?? "'self'"];
      return sendPage(
        reply,
        200,
        {
          title: 'Registered',
          script: '/lti/close.js',
          body: `<h1>quizgrad is registered</h1><p>Platform ${escapeHtml(reg.issuer)}, client id <code>${escapeHtml(reg.clientId)}</code>${
            reg.deploymentIds.length ? `, deployment <code>${escapeHtml(reg.deploymentIds.join(', '))}</code>` : ''
          }.</p><p>You can close this window.</p>`,
        },
        { frameAncestors: frame },
      );
    },
  );

  app.get(
    '/lti/deep-link-return/:ticket',
    {
      schema: {
        tags,
        summary: 'The deep-linking response: a page whose form posts the signed JWT to the platform (once per ticket)',
        params: z.object({ ticket: z.string().min(1).max(200) }),
        response: { 200: html, ...errors },
      },
    },
    async (request, reply) => {
      const r = await takeDeepLinkResponse(app.prisma, request.params.ticket, app.now());
      const target = originOf(r.returnUrl);
      return sendPage(
        reply,
        200,
        {
          title: 'Returning to the course',
          script: '/lti/autosubmit.js',
          body:
            `<h1>Returning to your course…</h1><form method="post" action="${escapeHtml(r.returnUrl)}" data-autosubmit>` +
            `<input type="hidden" name="JWT" value="${escapeHtml(r.jwt)}"><button type="submit">Continue</button></form>`,
        },
        { frameAncestors: await frameAll(), formAction: target ? [target] : [] },
      );
    },
  );

  const script = (path: string, body: string) =>
    app.get(path, { schema: { tags, summary: `A static script of the LTI pages (${path})`, response: { 200: z.string() } } }, async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=3600').header('x-content-type-options', 'nosniff').type('text/javascript; charset=utf-8').send(body),
    );
  script('/lti/close.js', CLOSE_JS);
  script('/lti/autosubmit.js', AUTOSUBMIT_JS);
} satisfies FastifyPluginAsyncZod);
