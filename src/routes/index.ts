/**
 * The /api/v1 routes, one plugin per resource. Authentication is declared once, for a subtree:
 * only the auth routes (which carry their own credentials: a password or a refresh token) are
 * public; every other plugin is registered inside `signedIn`, whose hook refuses a request
 * without a valid access token before anything else of the route runs. A new route added there
 * cannot forget authentication, and test/security/auth-walk.test.ts checks every documented
 * route against the public allow-list.
 */
import type { FastifyPluginAsync } from 'fastify';
import authRoutes from './auth/index.js';
import meRoutes from './me/index.js';
import courseRoutes from './courses/index.js';
import memberRoutes from './courses/members.js';
import inviteRoutes from './courses/invites.js';
import catalogueRoutes from './catalogue/index.js';
import practiceRoutes from './practice/index.js';
import examRoutes from './exams/index.js';
import attemptRoutes from './attempts/index.js';
import examResultRoutes from './exam-results/index.js';
import authoringRoutes from './authoring/index.js';
import statisticsRoutes from './statistics/index.js';
import gradebookRoutes from './gradebook/index.js';
import webhookRoutes from './webhooks/index.js';
import apiKeyRoutes from './api-keys/index.js';
import lmsRoutes from './lms/index.js';
import ltiHandoffRoutes from './lti/handoff.js';
import ltiRegistrationRoutes from './lti/registrations.js';
import ltiCourseRoutes from './lti/courses.js';
import { bearer } from './schemas.js';

/** Every route registered in here needs a signed-in principal (an encapsulated plugin: the hooks stay inside). */
const signedIn: FastifyPluginAsync = async (app) => {
  // preParsing: after the rate limit (a route-level onRequest hook, which would run after an
  // instance onRequest hook), so calls without a valid token still count against their address;
  // before the body is read or validated, so an anonymous caller learns nothing from a 400.
  app.addHook('preParsing', app.authenticate);
  // The OpenAPI document says so for every route here, from this one place too.
  // A route an API key may call says which scope it needs (config.apiKeyScope), in the document too.
  app.addHook('onRoute', (route) => {
    const scope = route.config?.apiKeyScope;
    route.schema = {
      ...route.schema,
      security: scope ? [...bearer, { apiKey: [scope] }] : bearer,
      ...(scope
        ? { description: `${route.schema?.description ? `${route.schema.description} ` : ''}API keys with the scope \`${scope}\` may call this.` }
        : {}),
    };
  });

  await app.register(meRoutes);
  await app.register(courseRoutes);
  await app.register(memberRoutes);
  await app.register(inviteRoutes);
  await app.register(catalogueRoutes);
  await app.register(practiceRoutes);
  await app.register(examRoutes);
  await app.register(attemptRoutes);
  await app.register(examResultRoutes);
  await app.register(authoringRoutes);
  await app.register(statisticsRoutes);
  await app.register(gradebookRoutes);
  await app.register(webhookRoutes);
  await app.register(apiKeyRoutes);
  await app.register(lmsRoutes);
  await app.register(ltiRegistrationRoutes);
  await app.register(ltiCourseRoutes);
};

const apiRoutes: FastifyPluginAsync = async (app) => {
  await app.register(authRoutes, { prefix: '/auth' });
  // The LTI sign-in handoff: public, it carries a launch's one-time code.
  await app.register(ltiHandoffRoutes, { prefix: '/auth' });
  await app.register(signedIn);
};
export default apiRoutes;
