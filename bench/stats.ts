/**
 * npm run bench:stats: an exam's statistics on a large exam, against PostgreSQL.
 *   npm run bench:stats -- [--students 2000] [--questions 10] [--runs 7]
 * A fresh database (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres) is
 * migrated and filled by SQL (generate_series): N students with one finished attempt each of a
 * Q-question exam drawing from Q templates; per question a variant with four numeric parameters
 * (one with 50 values, so it is bucketed), one or two graded tries whose results hold three
 * parts (wrong answers and a named mistake among them), and a format error for one question in
 * twenty. Then GET /api/v1/exams/:id/statistics is requested --runs times through the app
 * (in this process: route, authorisation, every SQL aggregate, serialisation) after one
 * untimed warm-up. Target (printed): every run ≤ 1,000 ms.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.js';
import { parseEnv } from '../src/config.js';
import { openMigratedDatabase } from '../src/db/client.js';
import { syncCatalogue } from '../src/catalogue/sync.js';
import { Prisma } from '../src/generated/prisma/client.js';
import { createBenchDatabase } from './lib/database.js';
import { fmt, percentile } from './lib/stats.js';
import { mistakeCounts, parameterScores, partSummary, templateHistogram, templateSummary, wrongAnswers } from '../src/stats/item-sql.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    students: { type: 'string', default: '2000' },
    questions: { type: 'string', default: '10' },
    runs: { type: 'string', default: '7' },
  },
});
const N = Number(values.students);
const Q = Number(values.questions);
const RUNS = Number(values.runs);
const TARGET_MS = 1000;

async function fill(app: Awaited<ReturnType<typeof buildApp>>, courseId: string, examId: string, staffId: string): Promise<void> {
  const version = await app.prisma.templateVersion.findFirstOrThrow({ select: { id: true } });
  const t0 = performance.now();
  await app.sql.query(Prisma.sql`INSERT INTO "User" (id, email, name, "passwordHash", "isAdmin", "createdAt")
    SELECT gen_random_uuid(), 'bench' || g || '@example.org', 'Student ' || g, 'x', false, now() FROM generate_series(1, ${N}::int) g`);
  await app.sql.query(Prisma.sql`INSERT INTO "Membership" ("userId", "courseId", role, "createdAt")
    SELECT id, ${courseId}::uuid, 'STUDENT', now() FROM "User" WHERE email LIKE 'bench%'`);
  // Each student's attempt started at a different second of the morning.
  await app.sql.query(Prisma.sql`INSERT INTO "Attempt" (id, "examId", "userId", number, status, "startedAt", "finishedAt", "finishedBy", points, "maxPoints")
    SELECT gen_random_uuid(), ${examId}::uuid, id, 1, 'FINISHED', timestamptz '2026-05-04 09:00Z' + (row_number() OVER ()) * interval '1 second',
           timestamptz '2026-05-04 11:00Z', 'student', 0, ${10 * Q}::int
    FROM "User" WHERE email LIKE 'bench%'`);
  // A question's score depends on its template and the student (so items correlate with the rest).
  await app.sql.query(Prisma.sql`INSERT INTO "AttemptQuestion" (id, "attemptId", position, "sectionIndex", "templateId", "maxPoints", "triesUsed", earned)
    SELECT gen_random_uuid(), a.id, p, 0, 'bench-t' || p, 10, 1 + (hashtext(a.id::text || p) & 1),
           LEAST(10, GREATEST(0, round(((hashtext(a."userId"::text) & 7) + (hashtext(a.id::text || p) & 7) - 4)::numeric * 10 / 10)))
    FROM "Attempt" a CROSS JOIN generate_series(1, ${Q}::int) p WHERE a."examId" = ${examId}::uuid`);
  await app.sql.query(
    Prisma.sql`UPDATE "Attempt" a SET points = s.p FROM (SELECT "attemptId", sum(earned) p FROM "AttemptQuestion" GROUP BY 1) s WHERE s."attemptId" = a.id`,
  );
  await app.sql
    .query(Prisma.sql`INSERT INTO "Variant" (id, "templateVersionId", "userId", "courseId", context, seed, params, answers, parts, prompt, solution, "createdAt", "attemptQuestionId")
    SELECT gen_random_uuid(), ${version.id}::uuid, a."userId", ${courseId}::uuid, 'EXAM', 1,
           jsonb_build_object('W', 5 + (hashtext(q.id::text) & 31), 'F', 1 + 2 * (hashtext(q.id::text || 'f') & 1), 'S', 1 + (hashtext(q.id::text || 's') & 1),
                              'R', round((hashtext(q.id::text || 'r') & 1023)::numeric / 20, 2), 'label', 'x'),
           '{}', '[]', 'prompt', 'solution', a."startedAt", q.id
    FROM "AttemptQuestion" q JOIN "Attempt" a ON a.id = q."attemptId" WHERE a."examId" = ${examId}::uuid`);
  await app.sql
    .query(Prisma.sql`INSERT INTO "Submission" (id, "variantId", context, "userId", "tryNumber", answers, results, score, points, "maxPoints", "requestHash", "createdAt", "attemptQuestionId")
    SELECT gen_random_uuid(), v.id, 'EXAM', v."userId", t,
           jsonb_build_object('a', (q.earned + t)::text, 'b', '2', 'c', '[1, 2]'),
           jsonb_build_array(
             jsonb_build_object('id', 'a', 'status', CASE WHEN q.earned >= 5 THEN 'correct' ELSE 'incorrect' END, 'score', CASE WHEN q.earned >= 5 THEN 1 ELSE 0 END, 'points', 1, 'maxPoints', 1, 'feedback', ''),
             jsonb_build_object('id', 'b', 'status', CASE WHEN q.earned >= 3 THEN 'correct' ELSE 'incorrect' END, 'score', CASE WHEN q.earned >= 3 THEN 1 ELSE 0 END, 'points', 1, 'maxPoints', 1, 'feedback', '')
               || CASE WHEN q.earned < 3 THEN jsonb_build_object('mistake', 'no_plus_one') ELSE '{}' END,
             jsonb_build_object('id', 'c', 'status', 'partial', 'score', 0.5, 'points', 0.5, 'maxPoints', 1, 'feedback', '')),
           q.earned / 10.0, q.earned, 10, md5(v.id::text || t), a."startedAt" + (q.position * 60 + t * 20) * interval '1 second', q.id
    FROM "AttemptQuestion" q JOIN "Attempt" a ON a.id = q."attemptId" JOIN "Variant" v ON v."attemptQuestionId" = q.id
    CROSS JOIN LATERAL generate_series(1, q."triesUsed") t
    WHERE a."examId" = ${examId}::uuid`);
  await app.sql.query(Prisma.sql`INSERT INTO "FormatError" (id, "variantId", "userId", "attemptQuestionId", parts, "createdAt")
    SELECT gen_random_uuid(), v.id, v."userId", v."attemptQuestionId", ARRAY['a'], now() FROM "Variant" v WHERE hashtext(v.id::text) % 20 = 0`);
  await app.sql.query(Prisma.sql`ANALYZE`);
  const [c] = await app.sql.query<{ q: number; s: number; f: number }>(
    Prisma.sql`SELECT (SELECT count(*) FROM "AttemptQuestion")::int q, (SELECT count(*) FROM "Submission")::int s, (SELECT count(*) FROM "FormatError")::int f`,
  );
  console.log(
    `filled in ${fmt((performance.now() - t0) / 1000, 1)} s: ${fmt(N)} attempts, ${fmt(c.q)} questions, ${fmt(c.s)} submissions, ${fmt(c.f)} format errors (staff ${staffId.slice(0, 8)})`,
  );
}

async function main(): Promise<void> {
  const bdb = await createBenchDatabase('bench_stats');
  console.log(`bench:stats — ${fmt(N)} students × ${Q} questions, ${RUNS} runs, node ${process.version}, database ${bdb.name}`);
  const db = await openMigratedDatabase({ url: bdb.url, poolSize: 10 }, resolve(ROOT, 'prisma/migrations'));
  const jwtSecret = randomBytes(32).toString('base64url');
  const env = parseEnv({ NODE_ENV: 'production', DATABASE_URL: bdb.url, JWT_SECRET: jwtSecret, LOG_LEVEL: 'silent', PROBLEMS_DIR: resolve(ROOT, 'problems') });
  const app = await buildApp({ config: { ...env, jwtSecret }, db, logger: false });
  let failed: boolean;
  try {
    await syncCatalogue(app.prisma, env.PROBLEMS_DIR);
    const course = await app.prisma.course.create({ data: { title: 'Bench course', code: `STATS${randomBytes(3).toString('hex')}` } });
    const staff = await app.prisma.user.create({ data: { email: 'staff@example.org', name: 'Staff', passwordHash: 'x' } });
    await app.prisma.membership.create({ data: { userId: staff.id, courseId: course.id, role: 'INSTRUCTOR' } });
    const blueprint = { sections: [{ count: 1, points: 10, pool: { templates: ['conv-output-size'] } }] };
    const exam = await app.prisma.exam.create({ data: { courseId: course.id, title: 'Bench exam', status: 'PUBLISHED', blueprint } });
    await fill(app, course.id, exam.id, staff.id);
    const headers = { authorization: `Bearer ${app.signAccessToken({ sub: staff.id, adm: false })}` };
    const once = async () => {
      const t = performance.now();
      const res = await app.inject({ method: 'GET', url: `/api/v1/exams/${exam.id}/statistics`, headers });
      const ms = performance.now() - t;
      if (res.statusCode !== 200) throw new Error(`statistics answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
      return { ms, body: res.json<{ attempts: number; templates: { items: number; parameters: unknown[]; parts: unknown[] }[] }>(), bytes: res.body.length };
    };
    const warm = await once();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push((await once()).ms);
    const t = warm.body.templates;
    console.log(
      `response: ${fmt(warm.body.attempts)} attempts, ${t.length} templates, ${fmt(t.reduce((s, x) => s + x.items, 0))} items, ` +
        `${t.reduce((s, x) => s + x.parts.length, 0)} parts, ${t.reduce((s, x) => s + x.parameters.length, 0)} parameters; ${fmt(warm.bytes / 1024, 1)} KB`,
    );
    // Each statement alone, one after another (JIT off, as the service runs them): where the time goes.
    const scope = { examId: exam.id };
    await app.sql.query(Prisma.sql`SET jit = off`);
    const each: string[] = [];
    for (const [name, stmt] of Object.entries({ templateSummary, templateHistogram, partSummary, wrongAnswers, mistakeCounts, parameterScores })) {
      const t0 = performance.now();
      await app.sql.query(stmt(scope));
      each.push(`${name} ${fmt(performance.now() - t0)}`);
    }
    console.log(`statements alone (ms): ${each.join(', ')}`);
    if (process.env.EXPLAIN) {
      const stmt = templateSummary(scope);
      const plan = await app.sql.query<{ 'QUERY PLAN': string }>(
        Prisma.sql([`EXPLAIN ANALYZE ${stmt.text.replace(/\$(\d+)/g, (_, i: string) => `'${String(stmt.values[Number(i) - 1])}'`)}`]),
      );
      console.log(plan.map((r) => r['QUERY PLAN']).join('\n'));
    }
    const max = Math.max(...times);
    console.log(`GET /exams/:id/statistics: warm-up ${fmt(warm.ms)} ms; ${RUNS} runs p50 ${fmt(percentile(times, 0.5))} ms, max ${fmt(max)} ms`);
    failed = max > TARGET_MS;
    console.log(`target every run ≤ ${fmt(TARGET_MS)} ms: ${failed ? 'NOT MET' : 'met'}`);
  } finally {
    await app.close();
    await bdb.drop();
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
