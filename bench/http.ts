/**
 * npm run bench:http: HTTP throughput and latency of the practice paths against PostgreSQL,
 * next to two ceilings measured the same way on the same machine:
 *   a) bare Fastify hello-world,          b) bare Fastify + pg Pool, one INSERT per request,
 *   c) issue a practice variant,           d) submit correct answers to a practice variant.
 *   npm run bench:http -- [--duration 10] [--connections 50] [--warmup 2]
 *                         [--template svm-loss-notes-example] [--students 50]
 *                         [--variants N] [--paths a,b,c,d] [--pool 20] [--cpu-prof] [--course-template]
 * --course-template: the template is the course's own copy (published), so c) and d) issue and
 * grade it in the template sandbox (worker threads), as for a template written over the API.
 * DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres) names the server; a
 * fresh database qg_bench_<random> is created, migrated, and dropped at the end. Each path's
 * server runs in its own child process (bench/http-server.ts, pool of --pool 20 like the service's
 * default); autocannon runs in a child process of its own (bench/lib/loadgen.ts), whose heap
 * holds only autocannon and the requests. Besides req/s and latency, each path reports the SQL
 * statements its server sent per request and the CPU milliseconds per request spent in the
 * server, in PostgreSQL (the bench database's backends and WAL writer, from /proc) and in
 * autocannon: on a small machine the three share the cores, so CPU per request, not req/s
 * alone, says where a path's cost is. --cpu-prof writes the server's CPU profile of each timed
 * run to .scratch/bench-http/ (open in Chrome DevTools or speedscope). Under the table: the
 * server's own time from arrival to response (p50/p99), and the event-loop delay and GC pauses of
 * the server and of autocannon during each timed run (time a request loses outside its own work).
 * Target: submit ≥ 40% of b)'s req/s and submit p99 ≤ 50 ms (printed, not enforced).
 * Row check (enforced: exit 1 on failure): every submission row belongs to a variant whose
 * submit got a 2xx, and every such variant has exactly one row. Requests cut off in flight
 * when a run ends are retried with the same Idempotency-Key first, as a real client would.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { parseEnv } from '../src/config.js';
import { openMigratedDatabase, type Database } from '../src/db/client.js';
import { syncCatalogue } from '../src/catalogue/sync.js';
import { ConstraintError, instantiate } from '../src/engine/index.js';
import { correctSubmission } from '../src/authoring/submissions.js';
import { toJson } from '../src/db/json.js';
import { Prisma } from '../src/generated/prisma/client.js';
import { killChildren, startLoadgen, startServer as startChildServer, type Child, type ChildServer } from './lib/server.js';
import { describePauses, type PauseReport } from './lib/pauses.js';
import type { FixedRequest, JobState, SubmitJob } from './lib/loadgen.js';

const ROOT = resolve(import.meta.dirname, '..');
const MIGRATIONS_DIR = resolve(ROOT, 'prisma/migrations');
const PROFILE_DIR = resolve(ROOT, '.scratch/bench-http');

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '2' },
    template: { type: 'string', default: 'svm-loss-notes-example' },
    students: { type: 'string', default: '50' },
    variants: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    paths: { type: 'string', default: 'a,b,c,d' },
    pool: { type: 'string', default: '20' },
    'course-template': { type: 'boolean', default: false },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const warmup = Number(values.warmup);
const students = Number(values.students);
const templateId = values.template;
// Connections of each server's pool (b's pg Pool and the app's DB_POOL_SIZE alike).
const POOL_SIZE = Number(values.pool);
if (!Number.isInteger(POOL_SIZE) || POOL_SIZE < 1) throw new Error('--pool must be a positive integer');

const baseUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const dbName = `qg_bench_${randomBytes(5).toString('hex')}`;
const benchUrl = (() => {
  const u = new URL(baseUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const JWT_SECRET = randomBytes(32).toString('base64url');
const appEnv = {
  NODE_ENV: 'production',
  DATABASE_URL: benchUrl,
  JWT_SECRET,
  LOG_LEVEL: 'silent',
  RATE_LIMIT_MAX: '1000000000',
  ACCESS_TOKEN_TTL_SECONDS: '86400',
  DB_POOL_SIZE: String(POOL_SIZE),
  PROBLEMS_DIR: resolve(ROOT, 'problems'),
  // The webhook dispatcher stays off: these paths are measured alone.
  WEBHOOK_DISPATCH_MS: '0',
};

// ---------------------------------------------------------------------------------------------
// Child servers

// The launcher and IPC protocol are shared with bench:exam (bench/lib/server.ts).
type Server = ChildServer;
const startServer = (mode: 'hello' | 'pg' | 'app') => startChildServer(mode, appEnv);

// ---------------------------------------------------------------------------------------------
// Load

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  statusCodes: string;
  /** SQL statements the server sent per completed request. */
  queriesPerRequest?: number;
  /** CPU milliseconds per completed request: the server process, PostgreSQL, autocannon. */
  cpu?: { server: number; postgres: number; loadgen: number };
  /** The server's time from arrival to response, event-loop delay and GC pauses during the timed run. */
  pauses?: ServerPauses;
  /** The same pauses in autocannon's process. */
  loadgenPauses?: PauseReport;
}

interface ServerPauses extends PauseReport {
  /** Arrival to response inside the server, ms. */
  servedP50: number;
  servedP99: number;
}

/** The first response body seen per non-2xx status, to say what went wrong. */
const sampleBodies = new Map<number, string>();

/** What a run sends: fixed requests in turn, or each request submitting the next unused job. */
type Load = { requests: FixedRequest[] } | { submit: true };

interface Ran {
  result: autocannon.Result;
  /** CPU ms of autocannon's process during the run. */
  cpuMs: number;
  pauses: PauseReport;
  samples: Record<string, string>;
}

// autocannon runs in a child process of its own (lib/loadgen.ts), started once.
let loadgen: Promise<Child> | undefined;
const loadgenChild = () => (loadgen ??= startLoadgen());

async function load(url: string, what: Load, seconds: number): Promise<Ran> {
  const ran = await (await loadgenChild()).ask<Ran & { error?: string }>({ cmd: 'run', url, connections, seconds, ...what }, 'ran');
  if (ran.error) throw new Error(`load generator: ${ran.error}`);
  for (const [status, body] of Object.entries(ran.samples)) if (!sampleBodies.has(Number(status))) sampleBodies.set(Number(status), body);
  return ran;
}

function summarise(name: string, r: autocannon.Result): Row {
  const codes = Object.entries(r.statusCodeStats ?? {})
    .map(([code, s]) => `${code}×${s.count ?? 0}`)
    .join(' ');
  return {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    statusCodes: codes,
  };
}

/**
 * CPU milliseconds (user + system) used so far by each PostgreSQL process that serves the bench
 * database, plus the WAL writer and background writer they rely on, by pid. Read from /proc
 * (Linux); other databases' backends are left out, so unrelated work does not count.
 */
async function postgresCpu(admin: pg.Client): Promise<Map<number, number>> {
  const { rows } = await admin.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = $1 OR backend_type IN ('walwriter', 'background writer', 'checkpointer')",
    [dbName],
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) * 10); // USER_HZ is 100 on Linux
    } catch {
      // Not Linux, or the process has gone.
    }
  }
  return cpu;
}

/** CPU ms between two readings: processes that ended in between are not counted (idle ones). */
function postgresCpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, t] of after) ms += t - (before.get(pid) ?? 0);
  return ms;
}

/**
 * Runs warm-up then the timed load. Reports the server's SQL statements per request of the
 * timed run and the CPU it cost in each process; with --cpu-prof, writes the server's CPU
 * profile of the timed run.
 */
async function measure(name: string, server: Server, what: Load, admin: pg.Client): Promise<Row> {
  if (warmup > 0) await load(server.url, what, warmup);
  await sleep(200);
  const before = {
    queries: await server.ask<number>({ cmd: 'queries' }, 'queries'),
    server: await server.ask<number>({ cmd: 'cpu' }, 'cpu'),
    postgres: await postgresCpu(admin),
  };
  if (values['cpu-prof']) await server.ask({ cmd: 'profile-start' }, 'profiling');
  await server.ask({ cmd: 'pauses-start' }, 'pausing');
  const ran = await load(server.url, what, duration);
  const r = ran.result;
  const pauses = await server.ask<ServerPauses>({ cmd: 'pauses' }, 'pauses');
  const after = { server: await server.ask<number>({ cmd: 'cpu' }, 'cpu'), postgres: await postgresCpu(admin) };
  if (values['cpu-prof']) {
    mkdirSync(PROFILE_DIR, { recursive: true });
    const file = resolve(PROFILE_DIR, `${name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}-${Date.now()}.cpuprofile`);
    console.log(`(CPU profile of the server during "${name}": ${await server.ask<string>({ cmd: 'profile-stop', file }, 'profiled')})`);
  }
  const row = summarise(name, r);
  row.pauses = pauses;
  row.loadgenPauses = ran.pauses;
  const n = Math.max(1, r.requests.total);
  row.cpu = { server: (after.server - before.server) / n, postgres: postgresCpuDelta(before.postgres, after.postgres) / n, loadgen: ran.cpuMs / n };
  await sleep(200);
  row.queriesPerRequest = ((await server.ask<number>({ cmd: 'queries' }, 'queries')) - before.queries) / n;
  return row;
}

// ---------------------------------------------------------------------------------------------

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

function printTable(rows: Row[]): void {
  const head = ['path', 'req/s', 'p50 ms', 'p99 ms', '2xx', 'non-2xx', 'errors', 'SQL/req', 'CPU ms/req: server', 'postgres', 'autocannon'];
  const body = rows.map((r) => [
    r.name,
    fmt(r.rps),
    fmt(r.p50, 1),
    fmt(r.p99, 1),
    fmt(r.ok),
    fmt(r.non2xx),
    fmt(r.errors),
    r.queriesPerRequest === undefined ? '' : fmt(r.queriesPerRequest, 2),
    r.cpu ? fmt(r.cpu.server, 3) : '',
    r.cpu ? fmt(r.cpu.postgres, 3) : '',
    r.cpu ? fmt(r.cpu.loadgen, 3) : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
  for (const r of rows) if (r.non2xx || r.errors) console.log(`  ${r.name}: status codes ${r.statusCodes}`);
  console.log("during the timed runs: the server (arrival to response; event-loop delay; GC) and autocannon's process:");
  for (const r of rows) {
    const p = r.pauses;
    if (p) console.log(`  ${r.name}: server: in the server p50 ${fmt(p.servedP50, 1)} ms, p99 ${fmt(p.servedP99, 1)} ms; ${describePauses(p)}`);
    if (r.loadgenPauses) console.log(`  ${' '.repeat(r.name.length)}  autocannon: ${describePauses(r.loadgenPauses)}`);
  }
  for (const [status, body] of sampleBodies) console.log(`  first ${status} body: ${body}`);
}

const JSON_HEADERS = { 'content-type': 'application/json' };

interface Setup {
  app: FastifyInstance;
  admin: pg.Client;
  users: { id: string; auth: string }[];
  courseId: string;
}

/** c) issue a practice variant, rotating the students' tokens. */
async function issuePath(s: Setup): Promise<Row> {
  const server = await startServer('app');
  try {
    const body = JSON.stringify({ templateId });
    const requests = s.users.map((u): FixedRequest => ({
      method: 'POST',
      path: `/api/v1/courses/${s.courseId}/practice`,
      headers: { ...JSON_HEADERS, authorization: u.auth },
      body,
    }));
    return await measure('c) issue practice variant', server, { requests }, s.admin);
  } finally {
    await server.stop();
  }
}

/**
 * Variants made in bulk with the engine (what the issue route does, without HTTP), spread over
 * the students, with their correct answers as a request body.
 */
async function prepareVariants(s: Setup, count: number): Promise<SubmitJob[]> {
  const loaded = await s.app.catalogue.current(s.courseId, templateId);
  const jobs: SubmitJob[] = [];
  const t0 = Date.now();
  let seed = 1;
  for (let start = 0; start < count; start += 1000) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      let v;
      while (!v) {
        try {
          v = instantiate(loaded.compiled, seed++);
        } catch (err) {
          if (!(err instanceof ConstraintError)) throw err;
        }
      }
      const user = s.users[i % s.users.length];
      const id = randomUUID();
      batch.push({
        id,
        templateVersionId: loaded.versionId,
        userId: user.id,
        courseId: s.courseId,
        seed: v.seed,
        params: toJson(v.secret.params),
        answers: toJson(v.secret.answers),
        parts: toJson(v.secret.parts),
        prompt: v.public.prompt,
        solution: v.secret.solution,
      });
      jobs.push({ id, auth: user.auth, body: JSON.stringify({ answers: correctSubmission(v) }), key: `bench-${i}` });
    }
    // Raw SQL rather than prisma.variant.createMany, which kept ≈ 7 KB per variant alive here
    // (≈ 300 MB for a run) and took three to four times as long.
    await s.app.sql.query(Prisma.sql`
      INSERT INTO "Variant" (id, "templateVersionId", "userId", "courseId", context, seed, params, answers, parts, prompt, solution)
      SELECT r.id, r."templateVersionId", r."userId", r."courseId", 'PRACTICE', r.seed, r.params, r.answers, r.parts, r.prompt, r.solution
      FROM jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) AS r(
        id uuid, "templateVersionId" uuid, "userId" uuid, "courseId" uuid, seed int, params jsonb, answers jsonb, parts jsonb, prompt text, solution text)`);
  }
  console.log(`(${fmt(count)} variants of ${templateId} prepared for the submit run in ${fmt((Date.now() - t0) / 1000, 1)} s)`);
  return jobs;
}

/**
 * d) submit correct answers, each request to the next unused variant with its owner's token
 * and its own Idempotency-Key; then the row check. Returns the row and whether the check held.
 */
async function submitPath(s: Setup, variants: number): Promise<{ row: Row; rowsOk: boolean }> {
  const jobs = await prepareVariants(s, variants);
  const server = await startServer('app');
  // The load generator sends the jobs and keeps per job: sent, status, acknowledged (a 2xx
  // naming its variant); the cut-off retries below are sent from here and added to its state.
  const jobsFile = resolve(tmpdir(), `${dbName}-jobs.json`);
  writeFileSync(jobsFile, JSON.stringify(jobs));
  await (await loadgenChild()).ask({ cmd: 'jobs', file: jobsFile }, 'jobs');
  rmSync(jobsFile);
  let state: JobState | undefined;
  let row: Row;
  const cut: number[] = [];
  let retried2xx = 0;
  try {
    row = await measure('d) submit answers', server, { submit: true }, s.admin);
    state = await (await loadgenChild()).ask<JobState>({ cmd: 'state' }, 'state');
    if (state.exhausted)
      console.log(
        `WARNING: the submit run used up all ${fmt(jobs.length)} variants (${fmt(state.exhausted)} extra requests got 409); rerun with --variants ${jobs.length * 2}`,
      );

    // Requests cut off when a run ended may or may not have committed: retry them with the same
    // Idempotency-Key, as a client whose connection dropped would, so every row is accounted for.
    await sleep(500);
    for (let i = 0; i < jobs.length; i++) if (state.sent[i] && !state.answered[i]) cut.push(i);
    for (const i of cut) {
      const job = jobs[i];
      const res = await fetch(`${server.url}/api/v1/variants/${job.id}/submissions`, {
        method: 'POST',
        headers: { ...JSON_HEADERS, authorization: job.auth, 'idempotency-key': job.key },
        body: job.body,
      });
      const text = await res.text();
      state.answered[i] = res.status;
      if (res.ok) {
        retried2xx++;
        if (!text.includes(`"variantId":"${job.id}"`)) state.misnamed++;
        else if (state.acked[i]) state.duplicateAcks++;
        else state.acked[i] = 1;
      }
    }
  } finally {
    await server.stop();
  }

  // Row check: the database holds exactly one submission per acknowledged variant, and none else.
  if (!state) throw new Error('no state from the load generator');
  const { answered, acked, duplicateAcks, misnamed, extraAcks } = state;
  const acknowledged = new Set(jobs.filter((_, i) => acked[i]).map((j) => j.id));
  const stored = await s.app.prisma.submission.findMany({ select: { variantId: true } });
  const storedIds = new Set(stored.map((x) => x.variantId));
  const twice = stored.length - storedIds.size;
  const unacknowledged = [...storedIds].filter((id) => !acknowledged.has(id)).length;
  const missing = [...acknowledged].filter((id) => !storedIds.has(id)).length;
  const refused = jobs.filter((_, i) => answered[i] && (answered[i] < 200 || answered[i] >= 300)).length;
  const rowsOk =
    stored.length === acknowledged.size && twice === 0 && unacknowledged === 0 && missing === 0 && duplicateAcks === 0 && misnamed === 0 && extraAcks === 0;
  rowCheck =
    `row check: ${fmt(stored.length)} submission rows, ${fmt(acknowledged.size)} 2xx submit responses ` +
    `(warm-up + timed run; ${fmt(cut.length)} cut off at the end of a run, retried with their key: ${fmt(retried2xx)} 2xx); ` +
    `${twice} duplicate rows, ${unacknowledged} rows without a 2xx, ${missing} 2xx without a row, ${refused} non-2xx` +
    `${duplicateAcks + misnamed + extraAcks ? `, ${duplicateAcks} variants with two 2xx, ${misnamed} 2xx naming another variant, ${extraAcks} 2xx for a second key` : ''} → ${rowsOk ? 'OK' : 'FAILED'}`;
  return { row, rowsOk };
}

let rowCheck = '';

async function main(): Promise<number> {
  const paths = new Set(values.paths.split(',').map((p) => p.trim()));
  console.log(`bench:http — ${connections} connections, ${duration} s per path (+${warmup} s warm-up), node ${process.version}, database ${dbName}`);
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  let exitCode = 0;
  let db: Database | undefined;
  let app: FastifyInstance | undefined;
  try {
    db = await openMigratedDatabase({ url: benchUrl, poolSize: 4 }, MIGRATIONS_DIR);
    const env = parseEnv(appEnv);
    app = await buildApp({ config: { ...env, jwtSecret: JWT_SECRET }, db, logger: false });
    const session = await db.session();
    await session.exec(
      'CREATE TABLE bench_insert (id bigserial PRIMARY KEY, name text NOT NULL, value integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
    );
    await session.release();
    await syncCatalogue(app.prisma, env.PROBLEMS_DIR);

    // Students in one course, each with a token signed the way the login route signs them.
    const created = await app.prisma.user.createManyAndReturn({
      data: Array.from({ length: students }, (_, i) => ({ email: `student${i}@bench.local`, name: `Student ${i}`, passwordHash: 'x' })),
      select: { id: true },
    });
    const course = await app.prisma.course.create({ data: { title: 'Bench course', code: `BENCH${randomBytes(3).toString('hex')}` } });
    await app.prisma.membership.createMany({ data: created.map((u) => ({ userId: u.id, courseId: course.id, role: 'STUDENT' as const })) });
    if (values['course-template']) {
      // The same template as the course's own (published) copy: c) and d) then issue and grade
      // it in the sandbox, as for any template an instructor wrote over the API.
      const builtin = await app.catalogue.current(course.id, templateId);
      const t = builtin.compiled.template;
      await app.prisma.problemTemplate.create({
        data: {
          id: `${course.id}/${t.id}`,
          courseId: course.id,
          slug: t.id,
          source: 'course',
          title: t.title,
          topic: t.topic,
          tags: t.tags,
          difficulty: t.difficulty,
          currentVersion: 1,
          versions: {
            create: { version: 1, hash: builtin.compiled.hash, content: JSON.parse(JSON.stringify(t)) as object, status: 'PUBLISHED', selfTestPassed: true },
          },
        },
      });
      await app.catalogue.invalidate(course.id);
      console.log(`course template: ${templateId} as the course's own copy (issued and graded in the sandbox)`);
    }
    const setup: Setup = {
      app,
      admin,
      courseId: course.id,
      users: created.map((u) => ({ id: u.id, auth: `Bearer ${app!.signAccessToken({ sub: u.id, adm: false })}` })),
    };

    const rows: Record<string, Row> = {};
    if (paths.has('a')) {
      const server = await startServer('hello');
      rows.a = await measure('a) fastify hello', server, { requests: [{ method: 'GET', path: '/' }] }, admin).finally(() => server.stop());
    }
    if (paths.has('b')) {
      const server = await startServer('pg');
      const body = JSON.stringify({ name: 'bench', value: 42 });
      rows.b = await measure('b) fastify + pg INSERT', server, { requests: [{ method: 'POST', path: '/insert', headers: JSON_HEADERS, body }] }, admin).finally(
        () => server.stop(),
      );
    }
    if (paths.has('c')) rows.c = await issuePath(setup);
    if (paths.has('d')) {
      // More variants than the INSERT ceiling could consume, since a submit also does an INSERT.
      const variants = Number(values.variants ?? Math.ceil((rows.b?.rps ?? 5_000) * (duration + warmup) * 1.2) + 20 * connections);
      const d = await submitPath(setup, variants);
      rows.d = d.row;
      if (!d.rowsOk) exitCode = 1;
    }

    console.log();
    printTable(Object.values(rows));
    const { a, b, c, d } = rows;
    const pct = (x: number, y: number) => `${fmt((100 * x) / y, 1)}%`;
    console.log();
    const ratios = [
      c && a && `issue/hello ${pct(c.rps, a.rps)}`,
      c && b && `issue/pg-insert ${pct(c.rps, b.rps)}`,
      d && a && `submit/hello ${pct(d.rps, a.rps)}`,
      d && b && `submit/pg-insert ${pct(d.rps, b.rps)}`,
    ].filter(Boolean);
    if (ratios.length) console.log(`ratios: ${ratios.join(', ')}`);
    if (d && b) {
      const rateOk = d.rps >= 0.4 * b.rps;
      const p99Ok = d.p99 <= 50;
      console.log(
        `target: submit ≥ 40% of pg-insert req/s: ${rateOk ? 'MET' : 'NOT MET'} (${pct(d.rps, b.rps)}); submit p99 ≤ 50 ms: ${p99Ok ? 'MET' : 'NOT MET'} (${fmt(d.p99, 1)} ms) → ${rateOk && p99Ok ? 'TARGET HOLDS' : 'TARGET MISSED'}`,
      );
    }
    if (rowCheck) console.log(rowCheck);
  } finally {
    killChildren();
    await app?.close();
    await db?.close();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch((err: unknown) => console.error(`could not drop ${dbName}:`, err));
    await admin.end();
  }
  return exitCode;
}

process.once('SIGINT', () => {
  // Let main's finally drop the database: stop the children, which fails the current run.
  killChildren();
});

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
