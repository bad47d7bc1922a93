/**
 * POST /api/v1/auth/lti: the web app's /lti/session page exchanges a launch's one-time code
 * for a framed session (auth/sessions.ts): the refresh token in the body, as in a token session
 * (in the platform's iframe the SameSite=Strict refresh cookie is a third-party cookie and may
 * never be set or sent), and in a partitioned cookie, from which a reloaded iframe resumes.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { openSession } from '../../auth/sessions.js';
import { redeemLaunchCode } from '../../lti/launch-codes.js';
import { errors } from '../schemas.js';
import { sessionOut } from '../auth/schemas.js';

export default (async function ltiHandoffRoutes(app) {
  app.post(
    '/lti',
    {
      config: { rateLimit: { max: app.config.LOGIN_RATE_LIMIT_MAX * 3, timeWindow: 60_000, keyGenerator: (req: { ip: string }) => `lti-code:${req.ip}` } },
      schema: {
        tags: ['auth', 'lti'],
        summary: "Exchange an LTI launch's one-time code (one minute) for a token session",
        body: z.strictObject({ code: z.string().min(1).max(200) }),
        response: { 200: sessionOut, ...errors },
      },
    },
    async (request, reply) => {
      const user = await redeemLaunchCode(app.prisma, request.body.code, app.now());
      return { ...(await openSession(app, request, reply, user, 'framed')), user };
    },
  );
} satisfies FastifyPluginAsyncZod);
