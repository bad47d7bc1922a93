/**
 * The database: PostgreSQL through @prisma/adapter-pg when a URL is given, otherwise an
 * embedded PGlite database in a folder (persistent) or in memory (tests).
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { migrate } from './migrate.js';
import { pgliteRawSql, pgRawSql, type RawSql } from './raw.js';
import { pgliteSession, pgSession, type SqlSession } from './sql.js';
import { pgliteListen, pgListen, type ListenHandlers, type Unlisten } from './listen.js';

export type { PrismaClient };

export interface Database {
  kind: 'postgres' | 'pglite';
  prisma: PrismaClient;
  /** Raw SQL on the driver itself, for the hot statements (raw.ts). */
  sql: RawSql;
  /** A raw session for migrations and health checks. */
  session(): Promise<SqlSession>;
  /** Notifications on a channel (listen.ts): from every instance, this one included. */
  listen(channel: string, handlers: ListenHandlers): Promise<Unlisten>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… ; absent → PGlite. */
  url?: string;
  /** PGlite folder; absent → in memory. */
  dataDir?: string;
  poolSize?: number;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) {
    const url = opts.url;
    const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
    // A backend killed under us (failover, pg_terminate_backend) must not crash the process:
    // the pool drops the client and the next query opens a new connection.
    pool.on('error', () => {});
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    return {
      kind: 'postgres',
      prisma,
      sql: pgRawSql(pool),
      session: () => pgSession(url),
      listen: (channel, handlers) => pgListen(url, channel, handlers),
      async close() {
        await prisma.$disconnect();
        await pool.end().catch(() => {});
      },
    };
  }
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const lite = opts.dataDir ? new PGlite(opts.dataDir) : new PGlite();
  await lite.waitReady;
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) });
  return {
    kind: 'pglite',
    prisma,
    sql: pgliteRawSql(lite),
    session: async () => pgliteSession(lite),
    listen: (channel, handlers) => pgliteListen(lite, channel, handlers),
    async close() {
      await prisma.$disconnect();
      await lite.close();
    },
  };
}

/** openDatabase, then apply migrations from dir. */
export async function openMigratedDatabase(opts: DatabaseOptions, migrationsDir: string): Promise<Database> {
  const db = await openDatabase(opts);
  const s = await db.session();
  try {
    await migrate(s, migrationsDir);
  } catch (err) {
    await s.release().catch(() => {});
    await db.close();
    throw err;
  }
  await s.release();
  return db;
}
