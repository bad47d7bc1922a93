/**
 * npm run bench:hostile: does a hostile course template hurt anyone else? The real service runs
 * as a child process (bench/http-server.ts app) on a fresh PostgreSQL database. For --seconds
 * (default 15), --hostile (default 4) instructors keep previewing a saved course template whose
 * fifty-nine parameters each invert a 100×100 matrix (seconds of work per variant: the
 * sandbox's deadline stops each with 422 TEMPLATE_TIMEOUT and replaces the worker), one request
 * after another; meanwhile
 * one client measures cheap endpoints one request at a time: GET /health/live and GET /api/v1/me
 * (authenticated, one database read), and a practice issue of a built-in. The same is measured
 * first without the hostile load, for comparison.
 *   npm run bench:hostile -- [--seconds 15] [--hostile 4]
 * Target (printed): the cheap endpoints' p99 under 50 ms with the hostile template in flight.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.js';
import { parseEnv } from '../src/config.js';
import { openMigratedDatabase } from '../src/db/client.js';
import { syncCatalogue } from '../src/catalogue/sync.js';
import { createBenchDatabase } from './lib/database.js';
import { killChildren, startServer } from './lib/server.js';
import { fmt, percentile } from './lib/stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' }, hostile: { type: 'string', default: '4' } } });
const SECONDS = Number(values.seconds);
const HOSTILE = Number(values.hostile);

/** Seconds of matrix work per variant: the sandbox's deadline (2 s) has to stop it. */
function hostileYaml(): string {
  const params = ['  a: { type: int, min: 1, max: 9 }'];
  for (let i = 0; i < 59; i++) params.push(`  p${i}: { type: derived, expr: "sum(inv(ones(100, 100) + identity(100)) ^ 8)" }`);
  return `id: hostile
title: Hostile
topic: cnn
tags: [hostile]
difficulty: 1
params:
${params.join('\n')}
prompt: "a = {{ a }}"
answers:
  - { id: x, label: x, type: number, expr: "p0 + a" }
solution: "none"
`;
}

interface Probe {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: object;
}

async function measure(url: string, auth: string, probes: Probe[], seconds: number): Promise<Map<string, { ms: number[]; errors: number }>> {
  const out = new Map(probes.map((p) => [p.name, { ms: [] as number[], errors: 0 }]));
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    for (const p of probes) {
      const t0 = performance.now();
      const res = await fetch(url + p.path, {
        method: p.method,
        headers: { authorization: auth, ...(p.body ? { 'content-type': 'application/json' } : {}) },
        ...(p.body ? { body: JSON.stringify(p.body) } : {}),
      });
      await res.arrayBuffer();
      const r = out.get(p.name)!;
      r.ms.push(performance.now() - t0);
      if (res.status >= 400) r.errors++;
    }
  }
  return out;
}

function report(label: string, m: Map<string, { ms: number[]; errors: number }>): number {
  console.log(label);
  let worst = 0;
  for (const [name, r] of m) {
    const sorted = [...r.ms].sort((a, b) => a - b);
    const p99 = percentile(sorted, 99);
    worst = Math.max(worst, p99);
    console.log(
      `  ${name.padEnd(28)} ${fmt(sorted.length).padStart(6)} requests, p50 ${fmt(percentile(sorted, 50), 1)} ms, p99 ${fmt(p99, 1)} ms, max ${fmt(sorted.at(-1) ?? 0, 1)} ms, ${r.errors} errors`,
    );
  }
  return worst;
}

async function main(): Promise<number> {
  const bdb = await createBenchDatabase('bench_hostile');
  const secret = randomBytes(32).toString('base64url');
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: bdb.url,
    JWT_SECRET: secret,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_MAX: '1000000000',
    ACCESS_TOKEN_TTL_SECONDS: '86400',
    PROBLEMS_DIR: resolve(ROOT, 'problems'),
  };
  const db = await openMigratedDatabase({ url: bdb.url, poolSize: 2 }, resolve(ROOT, 'prisma/migrations'));
  const app = await buildApp({ config: { ...parseEnv(env), jwtSecret: secret }, db, logger: false });
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    await syncCatalogue(app.prisma, env.PROBLEMS_DIR);
    const user = await app.prisma.user.create({ data: { email: 'instructor@bench.local', name: 'Instructor', passwordHash: 'x' } });
    const course = await app.prisma.course.create({ data: { title: 'Bench', code: `HOSTILE${randomBytes(3).toString('hex')}` } });
    await app.prisma.membership.create({ data: { userId: user.id, courseId: course.id, role: 'INSTRUCTOR' } });
    const auth = `Bearer ${app.signAccessToken({ sub: user.id, adm: false })}`;
    server = await startServer('app', env);
    const probes: Probe[] = [
      { name: 'GET /health/live', method: 'GET', path: '/health/live' },
      { name: 'GET /api/v1/me', method: 'GET', path: '/api/v1/me' },
      { name: 'POST practice (built-in)', method: 'POST', path: `/api/v1/courses/${course.id}/practice`, body: { templateId: 'conv-output-size' } },
    ];
    console.log(`bench:hostile — node ${process.version}, ${HOSTILE} clients previewing a hostile template, ${SECONDS} s per phase`);
    // Warm: the sandbox's first worker starts on the first course-template call.
    const warm = await fetch(`${server.url}/api/v1/courses/${course.id}/authoring/validate`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'id: warm\n' }),
    });
    await warm.arrayBuffer();
    await measure(server.url, auth, probes, 2);
    report('without hostile load:', await measure(server.url, auth, probes, SECONDS));

    // The hostile template is saved (its validation passes with a SLOW warning: each variant
    // takes seconds), then previewed with ever new seeds: each preview hits the sandbox's 2-s
    // deadline (422 TEMPLATE_TIMEOUT) and its worker is replaced.
    const created = await fetch(`${server.url}/api/v1/courses/${course.id}/authoring/templates`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ source: hostileYaml() }),
    });
    const createdBody = (await created.json()) as { warnings?: unknown; code?: string };
    console.log(`hostile template saved: ${created.status}${createdBody.code ? ` ${createdBody.code}` : ''}`);
    let stop = false;
    let seed = 1;
    const codes = new Map<string, number>();
    let hostileMs: number[] = [];
    const hostile = Array.from({ length: HOSTILE }, async () => {
      while (!stop) {
        const t0 = performance.now();
        const res = await fetch(`${server!.url}/api/v1/courses/${course.id}/authoring/templates/hostile/versions/1/preview?seed=${seed++}`, {
          headers: { authorization: auth },
        });
        const body = (await res.json()) as { code?: string };
        hostileMs.push(performance.now() - t0);
        const code = `${res.status} ${body.code ?? ''}`;
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    });
    await new Promise((r) => setTimeout(r, 500));
    const worst = report(`with ${HOSTILE} hostile previews in flight:`, await measure(server.url, auth, probes, SECONDS));
    stop = true;
    await Promise.all(hostile);
    hostileMs = hostileMs.sort((a, b) => a - b);
    console.log(
      `  hostile requests: ${fmt(hostileMs.length)}, answered in p50 ${fmt(percentile(hostileMs, 50))} ms, max ${fmt(hostileMs.at(-1) ?? 0)} ms; responses: ${[...codes].map(([c, n]) => `${c} ×${n}`).join(', ')}`,
    );
    const ok = worst < 50;
    console.log(`target: cheap endpoints' p99 < 50 ms with the hostile template in flight: ${ok ? 'PASS' : 'FAIL'} (worst p99 ${fmt(worst, 1)} ms)`);
    return 0;
  } finally {
    await server?.stop();
    await app.close();
    await db.close();
    await bdb.drop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    killChildren();
    process.exit(1);
  },
);
