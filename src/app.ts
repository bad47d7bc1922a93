/**
 * buildApp(deps): the Fastify instance with plugins, then routes; it does not listen. Tests
 * build it against their own database and clock; server.ts builds it from the environment.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from '@fastify/type-provider-zod';
import { createServer } from 'node:http';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import errorsPlugin, { clientErrorHandler } from './plugins/errors.js';
import validTextPlugin from './plugins/valid-text.js';
import dbPlugin from './plugins/db.js';
import authPlugin from './plugins/auth.js';
import swaggerPlugin from './plugins/swagger.js';
import webPlugin from './plugins/web.js';
import servicesPlugin, { type Clock } from './plugins/services.js';
import healthRoutes from './routes/health/index.js';
import apiRoutes from './routes/index.js';
import ltiToolRoutes from './routes/lti/tool.js';

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
    // Requests arriving while the server closes get the errors plugin's 503 SHUTTING_DOWN.
    return503OnClosing: false,
    // Headers and body must arrive within REQUEST_TIMEOUT_SECONDS (a client that sends headers
    // and never finishes its body would otherwise hold the connection forever): 408, closed.
    requestTimeout: config.REQUEST_TIMEOUT_SECONDS * 1000,
    connectionTimeout: 0,
    clientErrorHandler,
    serverFactory: (handler) =>
      createServer(
        {
          requestTimeout: config.REQUEST_TIMEOUT_SECONDS * 1000,
          headersTimeout: Math.min(config.REQUEST_TIMEOUT_SECONDS, 10) * 1000,
          // How often Node looks for requests past their timeout (its default is 30 s).
          connectionsCheckingInterval: Math.min(config.REQUEST_TIMEOUT_SECONDS * 250, 1000),
        },
        handler,
      ),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(errorsPlugin);
  await app.register(validTextPlugin);
  await app.register(dbPlugin, { db: deps.db, owns: deps.ownsDb ?? false });
  await app.register(servicesPlugin, { config, clock: deps.clock ?? (() => new Date()) });
  await app.register(cors, { origin: config.CORS_ORIGINS.length ? config.CORS_ORIGINS : false });
  await app.register(authPlugin, { config });
  // Before the rate limit, so its routes have none: a class behind one NAT loading the app's
  // files at the start of an exam must not spend the address's API budget (the files are
  // static and, but for index.html, cached for a year).
  await app.register(webPlugin, { dir: config.WEB_DIST_DIR });
  await app.register(rateLimit, {
    global: true,
    max: config.RATE_LIMIT_MAX,
    timeWindow: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
    // Per verified principal, so a class behind one NAT does not share a budget; anything else
    // (no token, or a made-up one) counts against its address, so junk tokens buy no budget.
    // Verified tokens are cached (plugins/auth.ts), so this costs a lookup, not a verification.
    keyGenerator: (req) => {
      const p = app.principalOf(req);
      return p ? `u:${p.userId}` : `ip:${req.ip}`;
    },
  });
  await app.register(swaggerPlugin);

  await app.register(healthRoutes);
  await app.register(apiRoutes, { prefix: '/api/v1' });
  // The LTI tool's fixed public URLs (/lti/…): each carries its own credentials.
  await app.register(ltiToolRoutes);
  await app.ready();
  return app;
}
