/**
 * buildApp(deps): the Fastify instance with plugins, then routes; it does not listen. Tests
 * build it against their own database and clock; server.ts builds it from the environment.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from '@fastify/type-provider-zod';
import { createHash } from 'node:crypto';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import errorsPlugin from './plugins/errors.js';
import dbPlugin from './plugins/db.js';
import authPlugin from './plugins/auth.js';
import swaggerPlugin from './plugins/swagger.js';
import servicesPlugin, { type Clock } from './plugins/services.js';
import healthRoutes from './routes/health/index.js';
import apiRoutes from './routes/index.js';

export interface AppDeps {
  config: Config;
  db: Database;
  /** Close the database with the app (server), or leave it to the caller (tests). */
  ownsDb?: boolean;
  clock?: Clock;
  logger?: boolean;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger: deps.logger === false || config.LOG_LEVEL === 'silent' ? false : { level: config.LOG_LEVEL },
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    // Client-chosen request ids would let one user's logs impersonate another's.
    requestIdHeader: false,
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(errorsPlugin);
  await app.register(dbPlugin, { db: deps.db, owns: deps.ownsDb ?? false });
  await app.register(servicesPlugin, { config, clock: deps.clock ?? (() => new Date()) });
  await app.register(cors, { origin: config.CORS_ORIGINS.length ? config.CORS_ORIGINS : false });
  await app.register(rateLimit, {
    global: true,
    max: config.RATE_LIMIT_MAX,
    timeWindow: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
    // Per bearer token when there is one, so a class behind one NAT does not share a budget.
    keyGenerator: (req) => {
      const auth = req.headers.authorization;
      return auth ? `t:${createHash('sha1').update(auth).digest('base64url')}` : `ip:${req.ip}`;
    },
  });
  await app.register(authPlugin, { config });
  await app.register(swaggerPlugin);

  await app.register(healthRoutes);
  await app.register(apiRoutes, { prefix: '/api/v1' });
  await app.ready();
  return app;
}
