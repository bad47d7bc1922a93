/**
 * npm run bench:exam: an exam-start rush against PostgreSQL. N simulated students start the same
 * published 10-question exam within a window (start times drawn uniformly at random over it),
 * then each answers every question with one graded try (correct for some, wrong for others)
 * and finishes:  start → 10 × submit → finish, one student's requests in sequence.
 *   npm run bench:exam -- [--students 500] [--window 10] [--think 5000] [--concurrency 0]
 *                         [--pool 20] [--correct 0.7] [--seed 1] [--warmup 20] [--timeline]
 *                         [--cpu-prof [--prof-seconds S]] [--keep] [--page]
 * DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres) names the server; a fresh
 * database qg_bench_exam_<random> is created, migrated, synced with the catalogue, and dropped
 * at the end (--keep leaves it, for EXPLAIN and pg_stat_statements). The server runs as a child
 * process (bench/http-server.ts app, DB_POOL_SIZE=--pool); the students run here with fetch.
 *
 * The scenario (defaults): every student sends its start at its moment in the window, whatever
 * else is in flight (open loop: the rush the issue describes), and pauses before each answer for
 * a time drawn uniformly between 0.5 and 1.5 × --think (5 s: far faster than a student solving a
 * deep-learning problem, so the submits of early starters pile onto the late starts).
 * Stress mode: --think 0 --concurrency 50: at most 50 students at once, each sending its next
 * request as soon as the last is answered (a closed loop: the server's capacity; a student
 * waiting for a slot starts late, and the lag behind the schedule is reported).
 * The correct answers are read from the database after each start (as the route tests do);
 * wrong answers move every part outside its tolerance.
 * Targets (printed): zero errors, start p99 ≤ 250 ms. Row checks (exit 1 on failure): N
 * FINISHED attempts, N×10 questions, N×10 variants with attemptQuestionId, N×10 exam
 * submissions (one try per question), each attempt's points = Σ earned of its questions and =
 * the points its submit and finish responses reported, and as many correct submissions as the
 * simulator sent.
 * --webhook: the server runs its outbox dispatcher (every 500 ms), the course has an endpoint
 * for every event on a loopback receiver answering in 50 ms, and the exam is placed in an LTI
 * platform (the same loopback server: token and score endpoints) whose identities every
 * student has, so every finish also publishes a score; after the rush the report says how
 * long the last deliveries and scores took (run once without it for the p99s to compare).
 * --page: each student first loads the exam page as a browser would (GET /exams/<id> for the
 * HTML, then every script and stylesheet it names, brotli accepted) and starts only then; the
 * report adds the page loads' latency (run once without --page for the start p99 to compare).
 * Before the rush, --warmup students take a separate copy of the exam one after another (a warm
 * server, as on exam day); the second half of them are measured request by request, which gives
 * the server's SQL statements and CPU per start, submit and finish without contention.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { setMaxListeners } from 'node:events';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { buildApp } from '../src/app.js';
import { parseEnv } from '../src/config.js';
import { openMigratedDatabase } from '../src/db/client.js';
import { syncCatalogue } from '../src/catalogue/sync.js';
import { correctSubmission, perturbedSubmission } from '../src/authoring/submissions.js';
import { blueprintSchema, blueprintToJson } from '../src/exams/blueprint.js';
import { checkBlueprint } from '../src/exams/pools.js';
import type { Prisma } from '../src/generated/prisma/client.js';
import { createBenchDatabase } from './lib/database.js';
import { machineCpuMs, PostgresCpu } from './lib/cpu.js';
import { killChildren, startServer, type ChildServer } from './lib/server.js';
import { fmt, percentile, rng } from './lib/stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const PROFILE_DIR = resolve(ROOT, '.scratch/bench-exam');

const { values } = parseArgs({
  options: {
    students: { type: 'string', default: '500' },
    window: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '0' },
    think: { type: 'string', default: '5000' },
    pool: { type: 'string', default: '20' },
    correct: { type: 'string', default: '0.7' },
    seed: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '20' },
    'cpu-prof': { type: 'boolean', default: false },
    'prof-seconds': { type: 'string' },
    timeline: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    page: { type: 'boolean', default: false },
    webhook: { type: 'boolean', default: false },
  },
});
const withPage = values.page;
const N = Number(values.students);
const windowMs = Number(values.window) * 1000;
const concurrency = Number(values.concurrency);
const think = Number(values.think);
const poolSize = Number(values.pool);
const correctShare = Number(values.correct);
const seed = Number(values.seed);
const warmupStudents = Number(values.warmup);
for (const [k, v] of Object.entries({
  students: N,
  window: windowMs,
  concurrency,
  think,
  pool: poolSize,
  correct: correctShare,
  seed,
  warmup: warmupStudents,
})) {
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${k} must be a non-negative number`);
}

const QUESTIONS = 10;
const POINTS = 10;
const BLUEPRINT = blueprintSchema.parse({
  sections: [
    { title: 'Convolutions and pooling', count: 5, points: POINTS, pool: { topic: 'cnn' } },
    { title: 'Optimizers', count: 5, points: POINTS, pool: { topic: 'optimizers' } },
  ],
  policies: { timeLimitMinutes: 60, triesPerQuestion: 1 },
});

// ---------------------------------------------------------------------------------------------
// The simulated students

type Route = 'page' | 'start' | 'submit' | 'finish';

interface Sample {
  route: Route;
  /** ms since the run began (send) and the latency to the full response body. */
  at: number;
  ms: number;
  status: number;
}

const samples: Sample[] = [];
/** "route status code" → count, for every non-2xx response or network error. */
const errors = new Map<string, number>();
const firstBodies = new Map<string, string>();

function countError(route: Route, status: number | string, body: string): void {
  let code = '';
  try {
    code = (JSON.parse(body) as { code?: string }).code ?? '';
  } catch {
    // not JSON
  }
  const key = `${route} ${status}${code ? ` ${code}` : ''}`;
  errors.set(key, (errors.get(key) ?? 0) + 1);
  if (!firstBodies.has(key)) firstBodies.set(key, body.slice(0, 300));
}

let t0 = 0;
/** Aborted on SIGINT/SIGTERM: pending pauses and requests fail at once, so the run ends and cleans up. */
const aborted = new AbortController();
// Every pending pause and request listens on it (thousands at once): not a leak.
setMaxListeners(0, aborted.signal);

/** While set (the sequential warm-up), every request is measured: the server's SQL statements and CPU. */
let probe: { server: ChildServer; totals: Record<Route, { n: number; queries: number; cpu: number }> } | undefined;
const serverCounters = async (server: ChildServer) => ({
  queries: await server.ask<number>({ cmd: 'queries' }, 'queries'),
  cpu: await server.ask<number>({ cmd: 'cpu' }, 'cpu'),
});
const now = () => performance.now() - t0;

/** What the flow reads of the start, submit and finish responses (src/routes/attempts/schemas.ts). */
const startedOut = z.object({ id: z.string(), questions: z.array(z.object({ position: z.number() })) });
const tryOut = z.object({ score: z.number(), points: z.number() });
/** `points` is there only when the exam's policy releases it. */
const finishedOut = z.object({ status: z.string(), points: z.number().optional() });

/** One request; non-2xx and network errors are counted. Returns the status and parsed body (undefined for a non-2xx). */
async function call(
  route: Route,
  url: string,
  init: { method: string; auth: string; body?: unknown; key?: string },
): Promise<{ status: number; body: unknown } | undefined> {
  const headers: Record<string, string> = { authorization: init.auth };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.key) headers['idempotency-key'] = init.key;
  const p = probe;
  const before = p && (await serverCounters(p.server));
  const at = now();
  try {
    const res = await fetch(url, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: aborted.signal,
    });
    const text = await res.text();
    if (p && before) {
      const after = await serverCounters(p.server);
      const t = p.totals[route];
      t.n++;
      t.queries += after.queries - before.queries;
      t.cpu += after.cpu - before.cpu;
    }
    samples.push({ route, at, ms: now() - at, status: res.status });
    if (res.status < 200 || res.status >= 300) {
      countError(route, res.status, text);
      return { status: res.status, body: undefined };
    }
    const body: unknown = JSON.parse(text);
    return { status: res.status, body };
  } catch (err) {
    if (aborted.signal.aborted) throw err;
    samples.push({ route, at, ms: now() - at, status: 0 });
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    countError(route, 'network', String(cause));
    return undefined;
  }
}

interface Student {
  index: number;
  id: string;
  auth: string;
  /** Whether this student answers question `position` correctly (decided before the run). */
  correct: boolean[];
  /** The pause before answering question `position` (ms; decided before the run). */
  pauses: number[];
}

interface Outcome {
  attemptId?: string;
  started: boolean;
  /** When the start response arrived (ms since the run began). */
  startAnsweredAt?: number;
  /** Correct/wrong answers sent whose submit got a 2xx, and what the server scored. */
  sentCorrect: number;
  sentWrong: number;
  scoredCorrect: number;
  /** Σ points the submit responses reported. */
  reportedPoints: number;
  finished: boolean;
  finishPoints?: number;
}

interface Env {
  url: string;
  examId: string;
  /** Pause before each submit (ms). */
  think: number;
  /** The current variants' answers and parts of an attempt, by position (read from the DB). */
  answersOf(attemptId: string): Promise<Map<number, { answers: unknown; parts: unknown }>>;
}

/** A GET of the app's HTML or an asset, as a browser sends it; recorded as route 'page'. */
async function fetchPageResource(url: string, accept: string): Promise<string | undefined> {
  const at = now();
  try {
    const res = await fetch(url, { headers: { accept, 'accept-encoding': 'br, gzip' }, signal: aborted.signal });
    const text = await res.text();
    samples.push({ route: 'page', at, ms: now() - at, status: res.status });
    if (res.status !== 200) countError('page', res.status, text.slice(0, 200));
    return res.status === 200 ? text : undefined;
  } catch (err) {
    if (aborted.signal.aborted) throw err;
    samples.push({ route: 'page', at, ms: now() - at, status: 0 });
    countError('page', 'network', String((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message));
    return undefined;
  }
}

/** The exam page: its HTML, then the scripts and stylesheets it names, in parallel (as a browser does). */
async function loadExamPage(env: Env): Promise<void> {
  const html = await fetchPageResource(`${env.url}/exams/${env.examId}`, 'text/html,application/xhtml+xml');
  if (html === undefined) return;
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  if (assets.length === 0) countError('page', 'no-assets', html.slice(0, 200));
  await Promise.all(assets.map((a) => fetchPageResource(`${env.url}${a}`, '*/*')));
}

async function runStudent(env: Env, s: Student, key: string): Promise<Outcome> {
  const out: Outcome = { started: false, sentCorrect: 0, sentWrong: 0, scoredCorrect: 0, reportedPoints: 0, finished: false };
  if (withPage) await loadExamPage(env);
  const started = await call('start', `${env.url}/api/v1/exams/${env.examId}/attempts`, { method: 'POST', auth: s.auth });
  if (!started || started.status !== 201) return out;
  out.started = true;
  out.startAnsweredAt = now();
  const startedBody = startedOut.parse(started.body);
  const attemptId = startedBody.id;
  out.attemptId = attemptId;
  const variants = await env.answersOf(attemptId);
  for (const q of startedBody.questions) {
    const v = variants.get(q.position);
    if (!v) throw new Error(`attempt ${attemptId} has no variant at position ${q.position}`);
    const pause = env.think > 0 ? s.pauses[q.position - 1] : 0;
    if (pause > 0) await sleep(pause, undefined, { signal: aborted.signal });
    const right = s.correct[q.position - 1];
    const engineVariant = { secret: { answers: v.answers, parts: v.parts } } as never;
    const answers = right ? correctSubmission(engineVariant) : perturbedSubmission(engineVariant);
    const r = await call('submit', `${env.url}/api/v1/attempts/${attemptId}/questions/${q.position}/submissions`, {
      method: 'POST',
      auth: s.auth,
      body: { answers },
      key: `${key}-q${q.position}`,
    });
    if (r?.body) {
      const graded = tryOut.parse(r.body);
      if (right) out.sentCorrect++;
      else out.sentWrong++;
      if (graded.score >= 1) out.scoredCorrect++;
      out.reportedPoints += graded.points;
    }
  }
  const fin = await call('finish', `${env.url}/api/v1/attempts/${attemptId}/finish`, { method: 'POST', auth: s.auth });
  if (fin?.body) {
    const finished = finishedOut.parse(fin.body);
    out.finished = finished.status === 'FINISHED';
    out.finishPoints = finished.points;
  }
  return out;
}

/** A counting semaphore: at most `n` student flows run at once. */
function semaphore(n: number) {
  let active = 0;
  let peak = 0;
  const waiting: (() => void)[] = [];
  return {
    async acquire(): Promise<void> {
      if (active >= n) await new Promise<void>((ok) => waiting.push(ok));
      else active++;
      peak = Math.max(peak, active);
    },
    release(): void {
      const next = waiting.shift();
      if (next) next();
      else active--;
    },
    get peak() {
      return peak;
    },
  };
}

// ---------------------------------------------------------------------------------------------

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

async function main(): Promise<number> {
  const wall0 = performance.now();
  if (withPage) {
    // The server serves web/dist; build it if a source is newer (as npm start does).
    const built = spawnSync(process.execPath, [resolve(ROOT, 'scripts/build-web.mjs'), '--if-stale'], { stdio: 'inherit' });
    if (built.status !== 0) throw new Error('the web app did not build');
  }
  const bdb = await createBenchDatabase('bench_exam');
  console.log(
    `bench:exam — ${N} students within ${values.window} s, ${concurrency > 0 ? `≤ ${concurrency} at once` : 'each at its moment'}, think ${think > 0 ? `${fmt(think / 2)}–${fmt(think * 1.5)}` : '0'} ms, DB_POOL_SIZE ${poolSize}, ` +
      `${Math.round(correctShare * 100)}% correct answers, node ${process.version}, database ${bdb.name}`,
  );
  const JWT_SECRET = randomBytes(32).toString('base64url');
  const appEnv = {
    NODE_ENV: 'production',
    DATABASE_URL: bdb.url,
    JWT_SECRET,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_MAX: '1000000000',
    ACCESS_TOKEN_TTL_SECONDS: '86400',
    DB_POOL_SIZE: String(poolSize),
    PROBLEMS_DIR: resolve(ROOT, 'problems'),
    WEBHOOK_DISPATCH_MS: values.webhook ? '500' : '0',
    // The receiver is on loopback.
    OUTBOUND_PRIVATE_ADDRESSES: 'allow',
  };
  let exitCode = 0;
  let received = 0;
  let scoresReceived = 0;
  // The webhook receiver and the LTI platform's token and score endpoints, each answering in 50 ms.
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        if (req.url === '/token') {
          res.setHeader('content-type', 'application/json');
          return res.end(JSON.stringify({ access_token: 'bench-token', token_type: 'Bearer', expires_in: 3600 }));
        }
        if (req.url?.endsWith('/scores')) scoresReceived++;
        else received++;
        res.end('ok');
      }, 50),
    );
  });
  let server: ChildServer | undefined;
  const db = await openMigratedDatabase({ url: bdb.url, poolSize: 4 }, resolve(ROOT, 'prisma/migrations'));
  const env = parseEnv(appEnv);
  // Only to sign access tokens with the server's secret, the way the login route does.
  const app = await buildApp({ config: { ...env, jwtSecret: JWT_SECRET }, db, logger: false });
  const prisma = app.prisma;
  try {
    await syncCatalogue(prisma, env.PROBLEMS_DIR);
    // Course, a published exam (and a copy for the warm-up), students and their memberships.
    const course = await prisma.course.create({ data: { title: 'Bench course', code: `BENCH${randomBytes(3).toString('hex')}` } });
    checkBlueprint(await app.catalogue.of(course.id), BLUEPRINT);
    const blueprint = blueprintToJson(BLUEPRINT) as Prisma.InputJsonValue;
    const exam = await prisma.exam.create({ data: { courseId: course.id, title: 'Midterm (bench)', status: 'PUBLISHED', blueprint } });
    const warmExam = await prisma.exam.create({ data: { courseId: course.id, title: 'Warm-up (bench)', status: 'PUBLISHED', blueprint } });
    const users = await prisma.user.createManyAndReturn({
      data: Array.from({ length: N + warmupStudents }, (_, i) => ({ email: `student${i}@bench.local`, name: `Student ${i}`, passwordHash: 'x' })),
      select: { id: true },
    });
    await prisma.membership.createMany({ data: users.map((u) => ({ userId: u.id, courseId: course.id, role: 'STUDENT' as const })) });
    const random = rng(seed);
    const all: Student[] = users.map((u, index) => ({
      index,
      id: u.id,
      auth: `Bearer ${app.signAccessToken({ sub: u.id, adm: false })}`,
      correct: Array.from({ length: QUESTIONS }, () => random() < correctShare),
      // Uniform between half and one and a half times --think: students do not answer in step.
      pauses: Array.from({ length: QUESTIONS }, () => think * (0.5 + random())),
    }));
    const students = all.slice(0, N);
    const warmers = all.slice(N);
    // Start offsets: uniform over the window, in order.
    const offsets = students.map(() => random() * windowMs).sort((a, b) => a - b);

    if (values.webhook) {
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      const addr = receiver.address();
      const url = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}/hook` : '';
      await prisma.webhookEndpoint.create({
        data: { courseId: course.id, url, secret: 'whsec_bench', events: ['roster.changed', 'attempt.finished', 'score.changed'] },
      });
      const base = url.replace(/\/hook$/, '');
      const issuer = 'https://lms.bench.example';
      const reg = await prisma.ltiRegistration.create({
        data: {
          issuer,
          clientId: 'bench',
          deploymentIds: ['d1'],
          authLoginUrl: `${base}/auth`,
          tokenUrl: `${base}/token`,
          jwksUrl: `${base}/jwks`,
          platformOrigins: [base],
        },
      });
      const context = await prisma.ltiContext.create({ data: { issuer, contextId: 'c1', registrationId: reg.id, courseId: course.id, title: 'Bench' } });
      await prisma.ltiResourceLink.create({
        data: { issuer, resourceLinkId: 'rl1', registrationId: reg.id, contextId: context.id, examId: exam.id, lineItemUrl: `${base}/lineitems/1` },
      });
      await prisma.ltiUser.createMany({ data: users.map((u) => ({ issuer, sub: `sub-${u.id}`, userId: u.id })) });
    }
    server = await startServer('app', appEnv);
    // The current variants' answers of an attempt, read from the database (as the route tests
    // do). Reads are batched (students asking within 10 ms share one query) to keep the load
    // generator's own share of PostgreSQL small.
    type Answers = Map<number, { answers: unknown; parts: unknown }>;
    let batch: { ids: Map<string, { ok: (a: Answers) => void; fail: (e: unknown) => void }>; timer: NodeJS.Timeout } | undefined;
    const flush = async () => {
      const b = batch!;
      batch = undefined;
      clearTimeout(b.timer);
      try {
        const rows = await prisma.variant.findMany({
          where: { attemptQuestion: { attemptId: { in: [...b.ids.keys()] } } },
          orderBy: { createdAt: 'desc' },
          select: { answers: true, parts: true, attemptQuestion: { select: { attemptId: true, position: true } } },
        });
        const byAttempt = new Map<string, Answers>([...b.ids.keys()].map((id) => [id, new Map()]));
        for (const r of rows) {
          const m = byAttempt.get(r.attemptQuestion!.attemptId)!;
          if (!m.has(r.attemptQuestion!.position)) m.set(r.attemptQuestion!.position, r);
        }
        for (const [id, p] of b.ids) p.ok(byAttempt.get(id)!);
      } catch (err) {
        for (const p of b.ids.values()) p.fail(err);
      }
    };
    const answersOf = (attemptId: string) =>
      new Promise<Answers>((ok, fail) => {
        batch ??= { ids: new Map(), timer: setTimeout(() => void flush(), 10) };
        batch.ids.set(attemptId, { ok, fail });
        if (batch.ids.size >= 50) void flush();
      });

    // Warm-up: students one after another on the copy (a warm server, as on exam day). The second
    // half are measured request by request: SQL statements and server CPU per route.
    if (warmers.length) {
      const warmEnv: Env = { url: server.url, examId: warmExam.id, think: 0, answersOf };
      for (const [i, w] of warmers.entries()) {
        if (i === Math.floor(warmers.length / 2))
          probe = {
            server,
            totals: {
              page: { n: 0, queries: 0, cpu: 0 },
              start: { n: 0, queries: 0, cpu: 0 },
              submit: { n: 0, queries: 0, cpu: 0 },
              finish: { n: 0, queries: 0, cpu: 0 },
            },
          };
        await runStudent(warmEnv, w, `warm${i}`);
      }
      const totals = probe?.totals;
      probe = undefined;
      samples.length = 0;
      if (errors.size) {
        console.log(`warm-up errors: ${[...errors].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
        for (const [k, b] of firstBodies) console.log(`  first ${k}: ${b}`);
        errors.clear();
        firstBodies.clear();
      }
      const per = (r: Route) => (totals && totals[r].n ? `${fmt(totals[r].queries / totals[r].n, 1)} SQL, ${fmt(totals[r].cpu / totals[r].n, 1)} ms CPU` : '–');
      console.log(
        `warm-up: ${warmers.length} students one by one on a copy of the exam; server per start ${per('start')}, per submit ${per('submit')}, per finish ${per('finish')} (SQL incl. BEGIN/COMMIT)`,
      );
    }

    // The rush.
    const pgCpu = new PostgresCpu(bdb.admin, bdb.name);
    const cpu0 = {
      server: await server.ask<number>({ cmd: 'cpu' }, 'cpu'),
      postgres: await pgCpu.read(),
      loadgen: process.cpuUsage(),
      queries: await server.ask<number>({ cmd: 'queries' }, 'queries'),
      machine: machineCpuMs(),
    };
    if (values['cpu-prof']) await server.ask({ cmd: 'profile-start' }, 'profiling');
    let profiled: Promise<string> | undefined;
    const stopProfile = () => {
      if (!values['cpu-prof'] || profiled) return;
      mkdirSync(PROFILE_DIR, { recursive: true });
      const file = resolve(PROFILE_DIR, `exam-${N}-${Date.now()}.cpuprofile`);
      profiled = server!.ask<string>({ cmd: 'profile-stop', file }, 'profiled');
    };
    const profTimer = values['prof-seconds'] ? setTimeout(stopProfile, Number(values['prof-seconds']) * 1000) : undefined;
    // Once a second: CPU of the server, PostgreSQL and the whole machine, for the timeline and
    // for the start window alone.
    const ticks: { at: number; server: number; postgres: number; machine: number; loadgen: number }[] = [];
    const tick = async () => {
      const at = now();
      const u = process.cpuUsage();
      ticks.push({
        at,
        server: await server!.ask<number>({ cmd: 'cpu' }, 'cpu'),
        postgres: await pgCpu.read(),
        machine: machineCpuMs(),
        loadgen: (u.user + u.system) / 1000,
      });
    };
    const sampler = setInterval(() => void tick(), 1000);
    const env1: Env = { url: server.url, examId: exam.id, think, answersOf };
    const sem = semaphore(concurrency > 0 ? concurrency : Infinity);
    const lags: number[] = [];
    t0 = performance.now();
    await tick();
    const outcomes = await Promise.all(
      students.map(async (s, i) => {
        const at = offsets[i];
        const wait = at - now();
        if (wait > 0) await sleep(wait, undefined, { signal: aborted.signal });
        await sem.acquire();
        lags.push(now() - at);
        try {
          return await runStudent(env1, s, `s${i}`);
        } finally {
          sem.release();
        }
      }),
    );
    clearInterval(sampler);
    clearTimeout(profTimer);
    await tick();
    const runMs = now();
    const loadgenCpu = process.cpuUsage(cpu0.loadgen);
    const machineBusy = machineCpuMs() - cpu0.machine;
    const cpu1 = {
      server: await server.ask<number>({ cmd: 'cpu' }, 'cpu'),
      postgres: await pgCpu.read(),
      queries: await server.ask<number>({ cmd: 'queries' }, 'queries'),
    };
    stopProfile();
    if (profiled)
      console.log(`(CPU profile of the server during the rush${values['prof-seconds'] ? `'s first ${values['prof-seconds']} s` : ''}: ${await profiled})`);
    let webhookReport = '';
    if (values.webhook) {
      // The deliveries the rush caused: wait until the dispatcher has sent them all.
      const t0 = performance.now();
      const pending = async () =>
        (
          await prisma.$queryRaw<
            { n: number }[]
          >`SELECT (SELECT count(*) FROM "WebhookDelivery" WHERE status <> 'DELIVERED') + (SELECT count(*) FROM "LtiScoreDelivery" WHERE status <> 'DELIVERED') + (SELECT count(*) FROM "OutboxEvent" WHERE "fannedOutAt" IS NULL) AS n`
        )[0].n;
      while (Number(await pending()) > 0 && performance.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 100));
      const delivered = await prisma.webhookDelivery.count({ where: { status: 'DELIVERED' } });
      const stuck = await prisma.webhookDelivery.findMany({
        where: { status: { not: 'DELIVERED' } },
        select: { status: true, attempts: true, lastStatus: true, lastError: true },
        take: 5,
      });
      const unfanned = await prisma.outboxEvent.count({ where: { fannedOutAt: null } });
      if (stuck.length || unfanned) webhookReport += `webhooks not delivered: ${JSON.stringify(stuck)}; events not fanned out: ${unfanned}\n`;
      const scores = await prisma.ltiScoreDelivery.count({ where: { status: 'DELIVERED' } });
      const stuckScores = await prisma.ltiScoreDelivery.findMany({
        where: { status: { not: 'DELIVERED' } },
        select: { status: true, lastError: true },
        take: 5,
      });
      if (stuckScores.length) webhookReport += `scores not published: ${JSON.stringify(stuckScores)}\n`;
      webhookReport += `webhooks: ${fmt(delivered)} deliveries DELIVERED (${fmt(received)} POSTs received), LTI: ${fmt(scores)} scores published (${fmt(scoresReceived)} score POSTs), the last ${fmt((performance.now() - t0) / 1000, 2)} s after the last finish (the dispatcher runs in the server during the rush)`;
    }
    await server.stop();
    server = undefined;

    // ---- Report
    const of = (r: Route) => samples.filter((x) => x.route === r);
    const ok = (x: Sample) => x.status >= 200 && x.status < 300;
    const starts = of('start');
    const submits = of('submit');
    const finishes = of('finish');
    const startMs = starts.filter(ok).map((x) => x.ms);
    const submitMs = submits.filter(ok).map((x) => x.ms);
    const finishMs = finishes.filter(ok).map((x) => x.ms);
    const submitPhase = submits.length ? Math.max(...submits.map((x) => x.at + x.ms)) - Math.min(...submits.map((x) => x.at)) : NaN;
    const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
    const requests = samples.length;
    const started = outcomes.filter((o) => o.started).length;
    console.log();
    console.log(`successful starts:   ${fmt(started)} / ${fmt(N)} (201)`);
    console.log(`errors:              ${fmt(errorCount)}${errorCount ? ` — ${[...errors].map(([k, n]) => `${k} ×${n}`).join(', ')}` : ''}`);
    for (const [k, b] of firstBodies) console.log(`  first ${k}: ${b}`);
    console.log(
      `start latency:       p50 ${fmt(percentile(startMs, 50), 1)} ms, p90 ${fmt(percentile(startMs, 90), 1)} ms, p99 ${fmt(percentile(startMs, 99), 1)} ms, max ${fmt(Math.max(...startMs), 1)} ms`,
    );
    const slowest = starts
      .filter(ok)
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5);
    console.log(`slowest starts:      ${slowest.map((x) => `${fmt(x.ms, 0)} ms sent at ${fmt(x.at / 1000, 2)} s`).join(', ')}`);
    const fromSchedule = outcomes.flatMap((o, i) => (o.startAnsweredAt === undefined ? [] : [o.startAnsweredAt - offsets[i]]));
    console.log(
      `start as scheduled:  p50 ${fmt(percentile(fromSchedule, 50), 1)} ms, p99 ${fmt(percentile(fromSchedule, 99), 1)} ms from the scheduled moment to the response (includes waiting for a free slot)`,
    );
    if (withPage) {
      const pageMs = of('page')
        .filter(ok)
        .map((x) => x.ms);
      console.log(
        `page loads (--page): ${fmt(pageMs.length)} requests (HTML + assets), p50 ${fmt(percentile(pageMs, 50), 1)} ms, p99 ${fmt(percentile(pageMs, 99), 1)} ms; each student loaded the exam page before starting`,
      );
    }
    console.log(`submit latency:      p50 ${fmt(percentile(submitMs, 50), 1)} ms, p99 ${fmt(percentile(submitMs, 99), 1)} ms`);
    console.log(`finish latency:      p50 ${fmt(percentile(finishMs, 50), 1)} ms, p99 ${fmt(percentile(finishMs, 99), 1)} ms`);
    console.log(
      `submissions/s:       ${fmt(submits.filter(ok).length / (submitPhase / 1000), 1)} (${fmt(submits.filter(ok).length)} in the submit phase of ${fmt(submitPhase / 1000, 2)} s, first submit sent → last answered)`,
    );
    console.log(
      `wall time:           ${fmt(runMs / 1000, 2)} s the rush (first start → last finish), ${fmt((performance.now() - wall0) / 1000, 1)} s in all with setup`,
    );
    console.log(
      `students in flight:  peak ${sem.peak} (limit ${concurrency > 0 ? concurrency : 'none'}); start sent later than scheduled by p50 ${fmt(percentile(lags, 50), 1)} ms, p99 ${fmt(percentile(lags, 99), 1)} ms; ` +
        `last start sent at ${fmt(Math.max(...starts.map((x) => x.at)) / 1000, 2)} s (window ${values.window} s)`,
    );
    const cpu = {
      server: cpu1.server - cpu0.server,
      postgres: cpu1.postgres - cpu0.postgres,
      loadgen: (loadgenCpu.user + loadgenCpu.system) / 1000,
    };
    console.log(
      `per request (${fmt(requests)}): ${fmt((cpu1.queries - cpu0.queries) / requests, 2)} SQL statements; CPU ms server ${fmt(cpu.server / requests, 2)}, ` +
        `postgres ${fmt(cpu.postgres / requests, 2)}, load generator ${fmt(cpu.loadgen / requests, 2)}`,
    );
    const cores = (ms: number) => fmt(ms / runMs, 2);
    console.log(
      `CPU over the rush (cores of ${availableParallelism()}): server ${cores(cpu.server)}, postgres ${cores(cpu.postgres)}, load generator ${cores(cpu.loadgen)}, ` +
        `other work on the machine ${cores(Math.max(0, machineBusy - cpu.server - cpu.postgres - cpu.loadgen))}, idle ${cores(Math.max(0, availableParallelism() * runMs - machineBusy))}`,
    );
    // The same for the start window alone (the ticks closest to its end), and per second with --timeline.
    const span = (a: (typeof ticks)[number], b: (typeof ticks)[number]) => {
      const ms = b.at - a.at;
      const ours = b.server - a.server + (b.postgres - a.postgres) + (b.loadgen - a.loadgen);
      const done = (r: Route) => samples.filter((x) => x.route === r && x.at + x.ms >= a.at && x.at + x.ms < b.at).length;
      return {
        text: `server ${fmt((b.server - a.server) / ms, 2)}, postgres ${fmt((b.postgres - a.postgres) / ms, 2)}, load generator ${fmt((b.loadgen - a.loadgen) / ms, 2)}, other ${fmt(Math.max(0, b.machine - a.machine - ours) / ms, 2)}`,
        done: `${done('start')} starts, ${done('submit')} submits, ${done('finish')} finishes answered`,
      };
    };
    const endOfWindow = ticks.reduce((best, t) => (Math.abs(t.at - windowMs) < Math.abs(best.at - windowMs) ? t : best), ticks[ticks.length - 1]);
    if (ticks.length > 1 && endOfWindow !== ticks[0]) {
      const w = span(ticks[0], endOfWindow);
      console.log(`CPU in the start window (0–${fmt(endOfWindow.at / 1000, 1)} s): ${w.text} (${w.done})`);
    }
    if (values.timeline) {
      console.log('timeline (cores busy per second):');
      for (let k = 1; k < ticks.length; k++) {
        const w = span(ticks[k - 1], ticks[k]);
        console.log(`  ${fmt(ticks[k - 1].at / 1000, 0).padStart(4)}–${fmt(ticks[k].at / 1000, 0).padEnd(4)} s  ${w.text}; ${w.done}`);
      }
    }

    // ---- Row checks (this exam only; the warm-up exam is left out)
    const inExam = { attempt: { examId: exam.id } };
    const sentCorrect = outcomes.reduce((a, o) => a + o.sentCorrect, 0);
    const sentWrong = outcomes.reduce((a, o) => a + o.sentWrong, 0);
    const attempts = await prisma.attempt.count({ where: { examId: exam.id } });
    const finishedAttempts = await prisma.attempt.count({ where: { examId: exam.id, status: 'FINISHED' } });
    const questions = await prisma.attemptQuestion.count({ where: inExam });
    const variants = await prisma.variant.count({ where: { attemptQuestion: inExam } });
    const submissions = await prisma.submission.count({ where: { attemptQuestion: inExam } });
    const correctRows = await prisma.submission.count({ where: { attemptQuestion: inExam, score: { gte: 1 } } });
    const [sums] = await prisma.$queryRaw<{ mismatched: bigint; total: number | null }[]>`
      SELECT count(*) FILTER (WHERE abs(a.points - coalesce(q.sum, 0)) > 1e-6) AS mismatched, sum(a.points)::float8 AS total
      FROM "Attempt" a
      LEFT JOIN (SELECT "attemptId", sum(coalesce("overridePoints", earned)) AS sum FROM "AttemptQuestion" GROUP BY "attemptId") q ON q."attemptId" = a.id
      WHERE a."examId" = ${exam.id}::uuid`;
    const [tries] = await prisma.$queryRaw<{ off: bigint }[]>`
      SELECT count(*) AS off FROM "AttemptQuestion" q JOIN "Attempt" a ON a.id = q."attemptId"
      WHERE a."examId" = ${exam.id}::uuid
        AND (q."triesUsed" <> 1 OR (SELECT count(*) FROM "Submission" s WHERE s."attemptQuestionId" = q.id) <> 1)`;
    const reported = new Map(outcomes.filter((o) => o.attemptId).map((o) => [o.attemptId as string, o]));
    const stored = await prisma.attempt.findMany({ where: { examId: exam.id }, select: { id: true, points: true } });
    const pointsOff = stored.filter((a) => {
      const o = reported.get(a.id);
      return !o || Math.abs(a.points - o.reportedPoints) > 1e-6 || !(Math.abs(a.points - (o.finishPoints ?? NaN)) <= 1e-6);
    }).length;
    const checks: Check[] = [
      { name: `${N} attempts, all FINISHED`, ok: attempts === N && finishedAttempts === N, detail: `${attempts} attempts, ${finishedAttempts} FINISHED` },
      { name: `${N * QUESTIONS} attempt questions`, ok: questions === N * QUESTIONS, detail: `${questions}` },
      { name: `${N * QUESTIONS} variants with attemptQuestionId`, ok: variants === N * QUESTIONS, detail: `${variants}` },
      { name: `${N * QUESTIONS} exam submissions`, ok: submissions === N * QUESTIONS, detail: `${submissions}` },
      { name: 'one try per question (triesUsed 1, one submission)', ok: Number(tries.off) === 0, detail: `${tries.off} questions off` },
      { name: "every attempt's points = Σ earned of its questions", ok: Number(sums.mismatched) === 0, detail: `${sums.mismatched} mismatched` },
      {
        name: 'correct submissions = correct answers the simulator sent',
        ok: correctRows === sentCorrect && sentCorrect + sentWrong === submissions,
        detail: `${correctRows} rows with score 1; sent ${sentCorrect} correct + ${sentWrong} wrong, acknowledged`,
      },
      {
        name: 'attempt points = Σ points of its submit responses = finish response',
        ok: pointsOff === 0,
        detail: `${pointsOff} attempts off; Σ ${fmt(sums.total ?? 0, 1)} points`,
      },
    ];
    console.log();
    console.log('row checks:');
    for (const c of checks) console.log(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name} (${c.detail})`);
    if (webhookReport) console.log(webhookReport.trimEnd());
    const startP99 = percentile(startMs, 99);
    console.log('targets:');
    console.log(`  ${errorCount === 0 ? 'PASS' : 'FAIL'}  zero errors (${errorCount})`);
    console.log(`  ${startP99 <= 250 ? 'PASS' : 'FAIL'}  start p99 ≤ 250 ms (${fmt(startP99, 1)} ms)`);
    const scoredAsSent = outcomes.every((o) => o.scoredCorrect === o.sentCorrect);
    if (!scoredAsSent) console.log('  (note: some submit responses scored differently from what was sent)');
    if (checks.some((c) => !c.ok)) exitCode = 1;
  } finally {
    receiver.close();
    if (server) killChildren();
    await app.close();
    await db.close();
    if (values.keep) {
      console.log(`(database kept for inspection: ${bdb.url})`);
      await bdb.admin.end();
    } else await bdb.drop();
  }
  return exitCode;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // Stop the students and the server; main's finally then drops the database.
    aborted.abort(new Error(`${signal}: run aborted`));
    killChildren();
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
