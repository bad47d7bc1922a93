/** The /api/v1 routes, one plugin per resource. */
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

const apiRoutes: FastifyPluginAsync = async (app) => {
  await app.register(authRoutes, { prefix: '/auth' });
  await app.register(meRoutes);
  await app.register(courseRoutes);
  await app.register(memberRoutes);
  await app.register(inviteRoutes);
  await app.register(catalogueRoutes);
  await app.register(practiceRoutes);
  await app.register(examRoutes);
  await app.register(attemptRoutes);
  await app.register(examResultRoutes);
};
export default apiRoutes;
