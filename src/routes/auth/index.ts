/**
 * Registration (optionally joining a course by invite code), login, token refresh, logout. Public
 * routes: each carries its own credentials. Login and register hand out a token session or, for
 * a browser, a cookie session (auth/sessions.ts); refresh and logout take either.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { hashPassword, verifyPassword } from '../../auth/passwords.js';
import { checkOrigin, closeSession, openSession, refreshSession } from '../../auth/sessions.js';
import { redeemInvite } from '../../courses/invites.js';
import { conflict, unauthorized } from '../../errors.js';
import { errors, noContent } from '../schemas.js';
import { inviteCodeIn } from '../courses/invites.js';
import { email, password, refreshBody, sessionMode, sessionOut, tokensOut } from './schemas.js';

const authRoutes: FastifyPluginAsyncZod = async (app) => {
  const loginLimit = {
    max: app.config.LOGIN_RATE_LIMIT_MAX,
    timeWindow: 60_000,
    // Counted after body parsing so the key can include the email.
    hook: 'preHandler' as const,
    // Per address and account: one attacker cannot lock out a whole NAT, nor spray one account.
    keyGenerator: (req: { ip: string; body?: unknown }) => {
      const email = (req.body as { email?: unknown } | undefined)?.email;
      return `login:${req.ip}:${typeof email === 'string' ? email.toLowerCase() : ''}`;
    },
  };

  app.post(
    '/register',
    {
      config: { rateLimit: { max: app.config.REGISTER_RATE_LIMIT_MAX, timeWindow: 60_000, keyGenerator: (req: { ip: string }) => `register:${req.ip}` } },
      schema: {
        tags: ['auth'],
        summary: 'Create an account; an invite code also joins its course',
        body: z.strictObject({ email, password, name: z.string().trim().min(1).max(200), inviteCode: inviteCodeIn.optional(), session: sessionMode }),
        response: { 201: sessionOut, ...errors },
      },
    },
    async (request, reply) => {
      const { email: mail, password: pw, name, inviteCode, session } = request.body;
      // Before anything is written: a refused cookie session must not leave an account behind.
      if (session === 'cookie') checkOrigin(request, app.config);
      if (await app.prisma.user.findUnique({ where: { email: mail }, select: { id: true } })) {
        throw conflict('EMAIL_TAKEN', 'an account with this email already exists');
      }
      const passwordHash = await hashPassword(pw);
      const user = await app.prisma.$transaction(async (tx) => {
        const u = await tx.user.create({ data: { email: mail, name, passwordHash } });
        if (inviteCode) await redeemInvite(tx, inviteCode, u.id, app.now());
        return u;
      });
      const tokens = await openSession(app, request, reply, user, session);
      return reply.status(201).send({ ...tokens, user });
    },
  );

  app.post(
    '/login',
    {
      config: { rateLimit: loginLimit },
      schema: {
        tags: ['auth'],
        summary: 'Exchange email and password for an access token and a refresh token (in the body, or as a cookie)',
        body: z.strictObject({ email, password: z.string().min(1).max(256), session: sessionMode }),
        response: { 200: sessionOut, ...errors },
      },
    },
    async (request, reply) => {
      const { session } = request.body;
      if (session === 'cookie') checkOrigin(request, app.config);
      const user = await app.prisma.user.findUnique({ where: { email: request.body.email } });
      if (!(await verifyPassword(user?.passwordHash, request.body.password)) || !user) {
        throw unauthorized('wrong email or password');
      }
      return { ...(await openSession(app, request, reply, user, session)), user };
    },
  );

  app.post(
    '/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Rotate a refresh token: the one in the body (the new one comes back in the body) or the session cookie (the new one is set as the cookie)',
        body: refreshBody,
        response: { 200: tokensOut, ...errors },
      },
    },
    async (request, reply) => refreshSession(app, request, reply, request.body.refreshToken),
  );

  app.post(
    '/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke a refresh token (and its rotations): the one in the body, or the session cookie, which is then cleared',
        body: refreshBody,
        response: { 204: noContent, ...errors },
      },
    },
    async (request, reply) => {
      await closeSession(app, request, reply, request.body.refreshToken);
      return reply.status(204).send(null);
    },
  );
};
export default authRoutes;
