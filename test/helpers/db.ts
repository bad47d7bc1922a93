/**
 * One real database per test file: a fresh PostgreSQL database when TEST_DATABASE_URL is set
 * (created from it, migrated, dropped afterwards), otherwise an in-memory PGlite. No mocks.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import pg from 'pg';
import { openMigratedDatabase, type Database } from '../../src/db/client.js';

export const MIGRATIONS_DIR = resolve(import.meta.dirname, '../../prisma/migrations');
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const onPostgres = TEST_DATABASE_URL !== undefined;

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface TestDatabase {
  db: Database;
  /** The connection string of this file's database (PostgreSQL only). */
  url?: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!TEST_DATABASE_URL) {
    const db = await openMigratedDatabase({}, MIGRATIONS_DIR);
    return { db, drop: () => db.close() };
  }
  const name = `qg_test_${process.env.VITEST_POOL_ID ?? '0'}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabase(TEST_DATABASE_URL, name);
  const db = await openMigratedDatabase({ url, poolSize: 10 }, MIGRATIONS_DIR);
  return {
    db,
    url,
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
