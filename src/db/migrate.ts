/**
 * Applies prisma/migrations/<stamp>_<name>/migration.sql in order, each in its own transaction,
 * under a session advisory lock so that two instances starting together do not race. The
 * bookkeeping table is Prisma's own `_prisma_migrations`, so `prisma migrate status` (where the
 * engine is available) agrees with what this applied.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlSession } from './sql.js';

// Arbitrary constant shared by every quizgrad instance: "qzgr".
const LOCK_KEY = 0x717a6772;

const BOOKKEEPING = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

/** The migration folders under dir, in name (timestamp) order. */
export function readMigrations(dir: string): MigrationFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export class MigrationError extends Error {}

/**
 * migrate(session, dir): applies pending migrations; returns the names applied. Refuses to
 * continue when an applied migration's file has changed or a previous run failed half-way.
 */
export async function migrate(session: SqlSession, dir: string): Promise<string[]> {
  const files = readMigrations(dir);
  await session.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
  try {
    await session.exec(BOOKKEEPING);
    const rows = await session.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
    );
    const applied = new Map(rows.filter((r) => r.rolled_back_at === null).map((r) => [r.migration_name, r]));
    const done: string[] = [];
    for (const file of files) {
      const row = applied.get(file.name);
      if (row) {
        if (row.finished_at === null) throw new MigrationError(`migration ${file.name} started earlier but did not finish; fix the database by hand`);
        if (row.checksum !== file.checksum) throw new MigrationError(`migration ${file.name} was changed after it was applied`);
        continue;
      }
      await session.exec('BEGIN');
      try {
        await session.exec(file.sql);
        await session.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), file.checksum, file.name],
        );
        await session.exec('COMMIT');
      } catch (err) {
        await session.exec('ROLLBACK');
        throw new MigrationError(`migration ${file.name} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      done.push(file.name);
    }
    return done;
  } finally {
    await session.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
  }
}
