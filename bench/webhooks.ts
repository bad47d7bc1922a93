/**
 * npm run bench:webhooks: after an exam of N students closes, how fast does every score reach
 * the LMS platform (LTI AGS passback) and every attempt.finished event a webhook receiver, when
 * both answer in 50 ms?
 *   npm run bench:webhooks -- [--students 500] [--latency 50]
 * A fresh PostgreSQL database (DATABASE_URL) with a course of N students, each with an LTI
 * identity on a registered platform, an exam placed in the platform as a resource link with its
 * line item, a webhook endpoint on a loopback receiver, and N finished attempts whose events
 * are in the outbox (written as the finish writes them). The platform (loopback too) has a
 * token endpoint and a score endpoint; both servers delay each answer by --latency ms. The
 * dispatcher then runs as the server runs it (a round every 500 ms, rounds back to back while
 * there is work) until every webhook delivery and every score delivery is DELIVERED. Target
 * (printed): all of both within 60 s. Reports the drain rate in events/s.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.js';
import { parseEnv } from '../src/config.js';
import { openMigratedDatabase } from '../src/db/client.js';
import { toJson } from '../src/db/json.js';
import { Prisma } from '../src/generated/prisma/client.js';
import { WebhookDispatcher } from '../src/webhooks/dispatcher.js';
import { createBenchDatabase } from './lib/database.js';
import { fmt } from './lib/stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { students: { type: 'string', default: '500' }, latency: { type: 'string', default: '50' } } });
const N = Number(values.students);
const LATENCY = Number(values.latency);
const TARGET_S = 60;

/** A loopback server answering every request after LATENCY ms; `handle` says what. */
async function slowServer(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => setTimeout(() => handle(req, body, res), LATENCY));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { url: typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : '', close: () => server.close() };
}

async function main(): Promise<void> {
  let hooks = 0;
  let scores = 0;
  let tokens = 0;
  const receiver = await slowServer((_req, _body, res) => {
    hooks++;
    res.end('ok');
  });
  const platform = await slowServer((req, _body, res) => {
    if (req.url === '/token') {
      tokens++;
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ access_token: `t${tokens}`, token_type: 'Bearer', expires_in: 3600 }));
    }
    if (req.url?.endsWith('/scores') && req.headers['content-type'] === 'application/vnd.ims.lis.v1.score+json') {
      scores++;
      res.statusCode = 200;
      return res.end();
    }
    res.statusCode = 404;
    res.end();
  });

  const bdb = await createBenchDatabase('bench_webhooks');
  console.log(
    `bench:webhooks — ${fmt(N)} finished attempts; a webhook receiver and an LTI platform each answering in ${LATENCY} ms; node ${process.version}, database ${bdb.name}`,
  );
  const db = await openMigratedDatabase({ url: bdb.url, poolSize: 10 }, resolve(ROOT, 'prisma/migrations'));
  const jwtSecret = randomBytes(32).toString('base64url');
  // The receiver and the platform are on loopback, which production refuses unless allowed.
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
    const issuer = 'https://lms.bench.example';
    const course = await app.prisma.course.create({ data: { title: 'Bench', code: `WH${randomBytes(3).toString('hex')}` } });
    const exam = await app.prisma.exam.create({
      data: {
        courseId: course.id,
        title: 'Bench exam',
        status: 'PUBLISHED',
        blueprint: toJson({ sections: [{ count: 1, points: 10, pool: { templates: ['conv-output-size'] } }], policies: {} }),
      },
    });
    await app.prisma.webhookEndpoint.create({
      data: { courseId: course.id, url: `${receiver.url}/hook`, secret: 'whsec_bench', events: ['attempt.finished'] },
    });
    const reg = await app.prisma.ltiRegistration.create({
      data: {
        issuer,
        clientId: 'bench-client',
        deploymentIds: ['d1'],
        authLoginUrl: `${platform.url}/auth`,
        tokenUrl: `${platform.url}/token`,
        jwksUrl: `${platform.url}/jwks`,
        platformOrigins: [platform.url],
      },
    });
    const context = await app.prisma.ltiContext.create({ data: { issuer, contextId: 'c1', registrationId: reg.id, courseId: course.id, title: 'Bench' } });
    await app.prisma.ltiResourceLink.create({
      data: { issuer, resourceLinkId: 'rl1', registrationId: reg.id, contextId: context.id, examId: exam.id, lineItemUrl: `${platform.url}/lineitems/1` },
    });
    // N students (members, LTI identities) with a finished attempt each and its event, as the finish writes them.
    await app.sql.query(Prisma.sql`
      WITH u AS (
        INSERT INTO "User" (id, email, name, "passwordHash")
        SELECT gen_random_uuid(), 'bench' || g || '@example.org', 'Student ' || g, '!' FROM generate_series(1, ${N}::int) g
        RETURNING id, email
      ), m AS (
        INSERT INTO "Membership" ("userId", "courseId", role) SELECT id, ${course.id}::uuid, 'STUDENT' FROM u
      ), l AS (
        INSERT INTO "LtiUser" (id, issuer, sub, "userId") SELECT gen_random_uuid(), ${issuer}, 'sub-' || email, id FROM u
      ), a AS (
        INSERT INTO "Attempt" (id, "examId", "userId", number, status, "startedAt", "finishedAt", "finishedBy", points, "maxPoints", "scoreUpdatedAt")
        SELECT gen_random_uuid(), ${exam.id}::uuid, id, 1, 'FINISHED', now(), now(), 'deadline', (random() * 10)::int, 10, now() FROM u
        RETURNING id, "userId", points
      )
      INSERT INTO "OutboxEvent" (id, "courseId", type, payload)
      SELECT gen_random_uuid(), ${course.id}::uuid, 'attempt.finished',
             jsonb_build_object('attemptId', a.id, 'examId', ${exam.id}::uuid, 'userId', a."userId", 'number', 1,
                                'points', a.points, 'maxPoints', 10, 'finishedAt', now(), 'finishedBy', 'deadline')
      FROM a`);
    const dispatcher = new WebhookDispatcher(app);
    const count = async (table: 'WebhookDelivery' | 'LtiScoreDelivery', delivered: boolean) =>
      (
        await app.sql.query<{ n: number }>(
          Prisma.sql`SELECT count(*)::int AS n FROM ${Prisma.raw(`"${table}"`)} WHERE ${Prisma.raw(delivered ? `status = 'DELIVERED'` : `status <> 'DELIVERED'`)}`,
        )
      )[0].n;
    const t0 = performance.now();
    let rounds = 0;
    let hooksDoneAt = 0;
    let scoresDoneAt = 0;
    for (;;) {
      const r = await dispatcher.runOnce();
      rounds++;
      const [events] = await app.sql.query<{ n: number }>(Prisma.sql`SELECT count(*)::int AS n FROM "OutboxEvent" WHERE "fannedOutAt" IS NULL`);
      const now = (performance.now() - t0) / 1000;
      if (!hooksDoneAt && events.n === 0 && (await count('WebhookDelivery', false)) === 0) hooksDoneAt = now;
      if (!scoresDoneAt && events.n === 0 && (await count('LtiScoreDelivery', false)) === 0) scoresDoneAt = now;
      if (hooksDoneAt && scoresDoneAt) break;
      // As the server runs it: the next round at once while there is work, else after 500 ms.
      if (r.fannedOut === 0 && r.sent === 0 && r.scoresSent === 0) await new Promise((res) => setTimeout(res, 500));
      if (now > 5 * TARGET_S) break;
    }
    const s = (performance.now() - t0) / 1000;
    const hooksDone = await count('WebhookDelivery', true);
    const scoresDone = await count('LtiScoreDelivery', true);
    console.log(
      `webhooks: ${fmt(hooksDone)} of ${fmt(N)} delivered (${fmt(hooks)} POSTs received) in ${fmt(hooksDoneAt || s, 2)} s: ${fmt(hooksDone / (hooksDoneAt || s))} events/s`,
    );
    console.log(
      `LTI scores: ${fmt(scoresDone)} of ${fmt(N)} published (${fmt(scores)} score POSTs, ${fmt(tokens)} token requests) in ${fmt(scoresDoneAt || s, 2)} s: ${fmt(scoresDone / (scoresDoneAt || s))} scores/s`,
    );
    console.log(`${rounds} dispatcher rounds, ${fmt(s, 2)} s in all`);
    failed = hooksDone !== N || scoresDone !== N || s > TARGET_S;
    console.log(`target every webhook and every score within ${TARGET_S} s: ${failed ? 'NOT MET' : 'met'}`);
  } finally {
    await app.close();
    await bdb.drop();
    receiver.close();
    platform.close();
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
