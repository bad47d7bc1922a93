/**
 * A fresh PostgreSQL database per benchmark run: qg_<prefix>_<random> on the server that
 * DATABASE_URL names (default postgresql://postgres@127.0.0.1:5432/postgres), dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface BenchDatabase {
  name: string;
  /** The connection string of the fresh database. */
  url: string;
  /** A connection to the server's maintenance database (for CPU accounting). */
  admin: pg.Client;
  /** Drops the database (closing whatever is still connected) and the admin connection. */
  drop(): Promise<void>;
}

export const BASE_URL = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';

export async function createBenchDatabase(prefix: string): Promise<BenchDatabase> {
  const name = `qg_${prefix}_${randomBytes(5).toString('hex')}`;
  const u = new URL(BASE_URL);
  u.pathname = `/${name}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  return {
    name,
    url: u.toString(),
    admin,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch((err: unknown) => console.error(`could not drop ${name}:`, err));
      await admin.end();
    },
  };
}
