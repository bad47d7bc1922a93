/** npm run db:migrate: applies pending migrations to DATABASE_URL (or the embedded database in DATA_DIR). */
import { resolve } from 'node:path';
import { parseEnv } from '../config.js';
import { openDatabase } from '../db/client.js';
import { migrate } from '../db/migrate.js';

const env = parseEnv(process.env);
const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATABASE_URL ? undefined : resolve(env.DATA_DIR, 'pglite') });
const session = await db.session();
try {
  const applied = await migrate(session, resolve(import.meta.dirname, '../../prisma/migrations'));
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await session.release();
  await db.close();
}
