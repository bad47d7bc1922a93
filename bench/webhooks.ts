/**
 * npm run bench:webhooks: after an exam of N students closes, how fast do its attempt.finished
 * events reach a webhook receiver that answers in 50 ms?
 *   npm run bench:webhooks -- [--students 500] [--latency 50]
 * A fresh PostgreSQL database (DATABASE_URL) with a course, a webhook endpoint on a loopback
 * receiver (each answer delayed by --latency ms), and N finished attempts whose events are in
 * the outbox (written as the finish writes them). The dispatcher then runs as the server runs
 * it (a round every 500 ms, rounds back to back while there is work) until every delivery is
 * DELIVERED. Target (printed): all N within 60 s. Reports the drain rate in events/s.
 */
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.js';
import { parseEnv } from '../src/config.js';
import { openMigratedDatabase } from '../src/db/client.js';
import { Prisma } from '../src/generated/prisma/client.js';
import { WebhookDispatcher } from '../src/webhooks/dispatcher.js';
import { createBenchDatabase } from './lib/database.js';
import { fmt } from './lib/stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { students: { type: 'string', default: '500' }, latency: { type: 'string', default: '50' } } });
const N = Number(values.students);
const LATENCY = Number(values.latency);
const TARGET_S = 60;

async function main(): Promise<void> {
  let received = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      setTimeout(() => {
        received++;
        res.end('ok');
      }, LATENCY);
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const addr = receiver.address();
  const url = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}/hook` : '';

  const bdb = await createBenchDatabase('bench_webhooks');
  console.log(`bench:webhooks — ${fmt(N)} finished attempts, receiver answering in ${LATENCY} ms, node ${process.version}, database ${bdb.name}`);
  const db = await openMigratedDatabase({ url: bdb.url, poolSize: 10 }, resolve(ROOT, 'prisma/migrations'));
  const jwtSecret = randomBytes(32).toString('base64url');
  // The receiver is on loopback, which production refuses unless allowed.
  const env = parseEnv({
    NODE_ENV: 'production',
    DATABASE_URL: bdb.url,
    JWT_SECRET: jwtSecret,
    LOG_LEVEL: 'silent',
    PROBLEMS_DIR: resolve(ROOT, 'problems'),
    OUTBOUND_PRIVATE_ADDRESSES: 'allow',
  });
  const app = await buildApp({ config: { ...env, jwtSecret }, db, logger: false });
  let failed: boolean;
  try {
    const course = await app.prisma.course.create({ data: { title: 'Bench', code: `WH${randomBytes(3).toString('hex')}` } });
    await app.prisma.webhookEndpoint.create({ data: { courseId: course.id, url, secret: 'whsec_bench', events: ['attempt.finished'] } });
    await app.sql.query(Prisma.sql`INSERT INTO "OutboxEvent" (id, "courseId", type, payload)
      SELECT gen_random_uuid(), ${course.id}::uuid, 'attempt.finished',
             jsonb_build_object('attemptId', gen_random_uuid(), 'examId', gen_random_uuid(), 'userId', gen_random_uuid(), 'number', 1,
                                'points', g % 11, 'maxPoints', 10, 'finishedAt', now(), 'finishedBy', 'deadline')
      FROM generate_series(1, ${N}::int) g`);
    const dispatcher = new WebhookDispatcher(app);
    const t0 = performance.now();
    let rounds = 0;
    for (;;) {
      const r = await dispatcher.runOnce();
      rounds++;
      const [left] = await app.sql.query<{ n: number }>(Prisma.sql`SELECT count(*)::int AS n FROM "WebhookDelivery" WHERE status <> 'DELIVERED'`);
      const [events] = await app.sql.query<{ n: number }>(Prisma.sql`SELECT count(*)::int AS n FROM "OutboxEvent" WHERE "fannedOutAt" IS NULL`);
      if (left.n === 0 && events.n === 0) break;
      // As the server runs it: the next round at once while there is work, else after 500 ms.
      if (r.fannedOut === 0 && r.sent === 0) await new Promise((res) => setTimeout(res, 500));
      if ((performance.now() - t0) / 1000 > 5 * TARGET_S) break;
    }
    const s = (performance.now() - t0) / 1000;
    const [done] = await app.sql.query<{ n: number }>(Prisma.sql`SELECT count(*)::int AS n FROM "WebhookDelivery" WHERE status = 'DELIVERED'`);
    console.log(
      `${fmt(done.n)} of ${fmt(N)} events delivered (${fmt(received)} POSTs received) in ${fmt(s, 2)} s over ${rounds} rounds: ${fmt(done.n / s)} events/s`,
    );
    failed = done.n !== N || s > TARGET_S;
    console.log(`target every event within ${TARGET_S} s: ${failed ? 'NOT MET' : 'met'}`);
  } finally {
    await app.close();
    await bdb.drop();
    receiver.close();
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
