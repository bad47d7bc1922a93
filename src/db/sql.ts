/**
 * A minimal raw-SQL connection for the migrator and health checks, over either a pg client
 * or PGlite. Prisma is not used here: migrations must run before the client's tables exist,
 * and must hold one session-level advisory lock for their whole duration.
 */
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';

export interface SqlSession {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements (no parameters). */
  exec(script: string): Promise<void>;
  release(): Promise<void>;
}

/** A session on one dedicated pg connection (closed on release). */
export async function pgSession(connectionString: string): Promise<SqlSession> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  return {
    async query<T>(text: string, params?: unknown[]) {
      return (await client.query(text, params)).rows as T[];
    },
    async exec(script) {
      await client.query(script);
    },
    async release() {
      await client.end();
    },
  };
}

/** A session over an open PGlite database (single connection; release leaves it open). */
export function pgliteSession(db: PGlite): SqlSession {
  return {
    async query<T>(text: string, params?: unknown[]) {
      return (await db.query<T>(text, params)).rows;
    },
    async exec(script) {
      await db.exec(script);
    },
    async release() {},
  };
}
