/** Decorates the app with the database; closes it with the app when the app owns it. */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Database, PrismaClient } from '../db/client.js';
import type { RawSql } from '../db/raw.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
    prisma: PrismaClient;
    /** Raw SQL on the driver, for hot statements (db/raw.ts). */
    sql: RawSql;
  }
}

export default fp(
  async function dbPlugin(app: FastifyInstance, opts: { db: Database; owns: boolean }) {
    app.decorate('db', opts.db);
    app.decorate('prisma', opts.db.prisma);
    app.decorate('sql', opts.db.sql);
    if (opts.owns) app.addHook('onClose', async () => opts.db.close());
  },
  { name: 'db' },
);
