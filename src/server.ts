/**
 * Entry point: configuration → database (migrated) → catalogue → app → listen; graceful close
 * on SIGTERM/SIGINT (stop accepting, finish in-flight requests, close the pool).
 */
import { resolve } from 'node:path';
import { ConfigError, parseEnv, type Config } from './config.js';
import { openMigratedDatabase } from './db/client.js';
import { syncCatalogue } from './catalogue/sync.js';
import { buildApp } from './app.js';
import { devJwtSecret, ensureAdmin } from './bootstrap.js';
import { sweepExpired } from './exams/finish.js';
import { purgeExpiredLti } from './lti/purge.js';

export const MIGRATIONS_DIR = resolve(import.meta.dirname, '../prisma/migrations');

async function main(): Promise<void> {
  let config: Config;
  try {
    const env = parseEnv(process.env);
    config = { ...env, jwtSecret: env.JWT_SECRET ?? devJwtSecret(env.DATA_DIR) };
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const db = await openMigratedDatabase(
    { url: config.DATABASE_URL, dataDir: config.DATABASE_URL ? undefined : resolve(config.DATA_DIR, 'pglite'), poolSize: config.DB_POOL_SIZE },
    MIGRATIONS_DIR,
  );
  const app = await buildApp({ config, db, ownsDb: true });
  const report = await syncCatalogue(app.prisma, config.PROBLEMS_DIR, app.log);
  // Other instances on this database serve the new built-in versions at once.
  if (report.newVersions) await app.catalogue.invalidate(null);
  app.log.info(`catalogue: ${report.templates} templates (${report.newVersions} new versions, ${report.invalid.length} invalid files skipped)`);
  const admin = await ensureAdmin(app.prisma);
  if (admin) {
    // Printed once, on purpose, to stdout: there is no other way to learn it.
    console.log(
      `\n  First start: administrator account created\n    email:    ${admin.email}\n    password: ${admin.password}\n  (shown only this once; change it with PUT /api/v1/me/password)\n`,
    );
  }

  // Attempts whose deadline passed are finished (saved answers graded) even if nobody touches them.
  const sweep =
    config.EXAM_SWEEP_SECONDS > 0
      ? setInterval(() => {
          sweepExpired(app).catch((err: unknown) => app.log.error({ err }, 'exam sweep failed'));
          purgeExpiredLti(app.prisma, app.now()).catch((err: unknown) => app.log.error({ err }, 'LTI purge failed'));
        }, config.EXAM_SWEEP_SECONDS * 1000).unref()
      : undefined;

  if (config.WEBHOOK_DISPATCH_MS > 0) app.webhooks.start(config.WEBHOOK_DISPATCH_MS);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) {
      app.log.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    closing = true;
    clearInterval(sweep);
    app.log.info(`${signal}: closing (finishing in-flight requests)`);
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ port: config.PORT, host: config.HOST });
  app.log.info(`quizgrad on ${db.kind === 'pglite' ? 'embedded PGlite' : 'PostgreSQL'}; API at /api/v1, docs at /docs`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
