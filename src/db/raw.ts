/**
 * Raw SQL straight on the driver (pg Pool or PGlite), for the few statements every exam and
 * practice request runs. Prisma's $queryRaw costs ~0.4 ms of client CPU per call here against
 * ~0.09 ms for pg itself (measured sequentially on this machine); model queries cost more still.
 * Statements are written with Prisma.sql (the same tagged templates and parameters); a statement
 * that starts with a `/* qg:<name> *\/` comment is prepared once per connection (prepared.ts).
 *
 * Results are parsed by the driver: timestamptz → Date, json/jsonb → values, int4/float8 →
 * number, uuid/text → string (cast bigint and numeric to int or float8 in the SQL).
 * Driver errors keep their SQLSTATE in `code` (see db/errors.ts).
 */
import type pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import type { Prisma } from '../generated/prisma/client.js';
import { preparedName } from './prepared.js';

export interface RawQuery {
  /** Rows of one statement. A function property, not a method: it does not use `this`, so it may be passed around detached. */
  query: <T>(statement: Prisma.Sql) => Promise<T[]>;
}

export interface RawSql extends RawQuery {
  /** fn's statements in one transaction on one connection: committed if fn resolves, rolled back if it throws. */
  transaction<R>(fn: (tx: RawQuery) => Promise<R>): Promise<R>;
}

type PgQueryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

function pgQuery(on: PgQueryable): RawQuery {
  return {
    async query<T>(s: Prisma.Sql) {
      const name = preparedName(s.text);
      const res = await (on as pg.Pool).query(name ? { name, text: s.text, values: s.values } : { text: s.text, values: s.values });
      return res.rows as T[];
    },
  };
}

export function pgRawSql(pool: pg.Pool): RawSql {
  const direct = pgQuery(pool);
  return {
    query: direct.query,
    async transaction<R>(fn: (tx: RawQuery) => Promise<R>): Promise<R> {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(pgQuery(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        // A failed ROLLBACK means the connection is gone: it must not go back to the pool.
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw err;
      } finally {
        client.release(broken);
      }
    },
  };
}

export function pgliteRawSql(lite: PGlite): RawSql {
  return {
    async query<T>(s: Prisma.Sql) {
      return (await lite.query<T>(s.text, s.values)).rows;
    },
    async transaction<R>(fn: (tx: RawQuery) => Promise<R>): Promise<R> {
      return lite.transaction(async (tx) => fn({ query: async <T>(s: Prisma.Sql) => (await tx.query<T>(s.text, s.values)).rows }));
    },
  };
}
