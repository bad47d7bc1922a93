/**
 * The server under test for `npm run bench:http`, run as a child process so the load generator
 * does not share its event loop:
 *   node --import tsx bench/http-server.ts hello|pg|app
 * - hello: bare Fastify, GET / → {"hello":"world"} (the ceiling for any route);
 * - pg:    bare Fastify + a pg Pool, POST /insert → one INSERT … RETURNING (the ceiling for a
 *          route that writes one row);
 * - app:   the real service (buildApp) on DATABASE_URL, configured from the environment.
 * Listens on 127.0.0.1 on an ephemeral port and reports it to the parent over IPC; exits
 * cleanly on SIGTERM or when the parent goes away (so --cpu-prof profiles get written).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { createHistogram } from 'node:perf_hooks';
import { PauseWatch } from './lib/pauses.js';
import { buildApp } from '../src/app.js';
import { parseEnv } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { syncCatalogue } from '../src/catalogue/sync.js';

const mode = process.argv[2];
const poolSize = Number(process.env.DB_POOL_SIZE ?? 20);

// Counts the SQL statements this process sends (every pg client, whoever owns it), so the
// parent can report round trips per request. The parent asks with {cmd: 'queries'}.
let queries = 0;
// (query has many overloads; this view of the prototype names the one shape the wrapper needs.)
const clientProto = pg.Client.prototype as unknown as { query: (this: pg.Client, ...args: unknown[]) => unknown };
const query = clientProto.query;
clientProto.query = function (this: pg.Client, ...args: unknown[]) {
  queries++;
  return query.apply(this, args);
};
// Where a request's time goes: arrival to response inside the server (µs), and the event-loop
// delay and GC pauses (lib/pauses.ts), over a window the parent chooses ({cmd: 'pauses-start'}
// then {cmd: 'pauses'}).
const served = createHistogram();
const pauses = new PauseWatch();
// CPU profile of a window the parent chooses (the timed run), written to m.file.
const inspector = new Session();
process.on('message', (m: { cmd?: string; file?: string }) => {
  if (m.cmd === 'queries') process.send?.({ queries });
  else if (m.cmd === 'cpu') {
    const u = process.cpuUsage();
    process.send?.({ cpu: (u.user + u.system) / 1000 });
  } else if (m.cmd === 'pauses-start') {
    served.reset();
    pauses.start();
    process.send?.({ pausing: true });
  } else if (m.cmd === 'pauses') {
    process.send?.({ pauses: { ...pauses.report(), servedP50: served.percentile(50) / 1e3, servedP99: served.percentile(99) / 1e3 } });
  } else if (m.cmd === 'profile-start') {
    inspector.connect();
    inspector.post('Profiler.enable', () => inspector.post('Profiler.start', () => process.send?.({ profiling: true })));
  } else if (m.cmd === 'profile-stop' && m.file) {
    const file = m.file;
    inspector.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(file, JSON.stringify(res.profile));
      inspector.disconnect();
      process.send?.({ profiled: err ? String(err) : file });
    });
  }
});

async function hello(): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.get('/', async () => ({ hello: 'world' }));
  return app;
}

async function pgInsert(): Promise<FastifyInstance> {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: poolSize });
  pool.on('error', () => {});
  const app = Fastify({ logger: false });
  app.post<{ Body: { name: string; value: number } }>('/insert', async (request, reply) => {
    const { rows } = await pool.query<{ id: string }>('INSERT INTO bench_insert (name, value) VALUES ($1, $2) RETURNING id', [
      request.body.name,
      request.body.value,
    ]);
    return reply.status(201).send({ id: rows[0]?.id });
  });
  app.addHook('onClose', async () => pool.end());
  return app;
}

async function service(): Promise<FastifyInstance> {
  const env = parseEnv(process.env);
  if (!env.DATABASE_URL || !env.JWT_SECRET) throw new Error('bench server: DATABASE_URL and JWT_SECRET are required');
  // The parent created and migrated the database; this process only serves it.
  const db = await openDatabase({ url: env.DATABASE_URL, poolSize: env.DB_POOL_SIZE });
  const app = await buildApp({ config: { ...env, jwtSecret: env.JWT_SECRET }, db, ownsDb: true, logger: false });
  // As server.ts does at start. (It matters beyond startup cost: stored template content is
  // jsonb, whose key order is not the file's, so compiling a version from the database alone
  // can fail for templates whose derived parameters depend on earlier ones; compiling the
  // files first fills the engine's by-hash cache.)
  await syncCatalogue(app.prisma, env.PROBLEMS_DIR);
  // As server.ts does (WEBHOOK_DISPATCH_MS=0 leaves it off).
  if (env.WEBHOOK_DISPATCH_MS > 0) app.webhooks.start(env.WEBHOOK_DISPATCH_MS);
  return app;
}

const builders: Record<string, () => Promise<FastifyInstance>> = { hello, pg: pgInsert, app: service };
const build = mode ? builders[mode] : undefined;
if (!build) {
  console.error(`usage: http-server.ts ${Object.keys(builders).join('|')}`);
  process.exit(2);
}

const app = await build();
// (The instance is ready here, so a raw 'request' listener rather than a Fastify hook.)
app.server.on('request', (_req, res) => {
  const t0 = performance.now();
  res.once('finish', () => served.record(Math.max(1, Math.round((performance.now() - t0) * 1000))));
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;

let closing = false;
const close = () => {
  if (closing) return;
  closing = true;
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', close);
process.on('SIGINT', close);
process.on('disconnect', close);
if (process.send) process.send({ port });
else console.log(JSON.stringify({ port }));
