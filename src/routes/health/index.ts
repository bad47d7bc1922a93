/** Liveness (the process answers) and readiness (the database answers). */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';

const status = z.object({ status: z.enum(['ok', 'unavailable']), database: z.string().optional() });

const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/health/live', { schema: { tags: ['health'], response: { 200: status } } }, async () => ({ status: 'ok' as const }));
  app.get('/health/ready', { schema: { tags: ['health'], response: { 200: status, 503: status } } }, async (_req, reply) => {
    try {
      await app.prisma.$queryRawUnsafe('SELECT 1');
      return { status: 'ok' as const, database: app.db.kind };
    } catch {
      return reply.status(503).send({ status: 'unavailable' as const, database: app.db.kind });
    }
  });
};
export default healthRoutes;
