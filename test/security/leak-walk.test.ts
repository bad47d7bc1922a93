/**
 * The leak test that covers routes nobody has written yet: it reads the served OpenAPI document
 * and calls every route in it with a student's credentials, in every exam state (before any
 * try, after a wrong try, after finish, after close) and under every release policy, with the
 * ids of that student's own course, exam, attempt and exam variants filled in. Each response's
 * raw text is searched for the exam's correct answers and solution text, which must not appear
 * before the policy releases them. A new route is walked without anyone adding it here; one
 * whose path parameters cannot be filled in fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJson } from '../../src/db/json.js';
import { perturbedSubmission } from '../../src/authoring/submissions.js';
import { RELEASE } from '../../src/exams/blueprint.js';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

let ctx: TestContext;
let teacher: TestUser;
let course: { id: string };
let routes: { method: string; path: string; hasBody: boolean }[];
const T0 = new Date('2026-06-01T09:00:00Z');
const CLOSES = new Date(T0.getTime() + 3_600_000);
// Templates whose answers are non-integers with several digits, and whose solutions are long.
const TEMPLATES = ['softmax-probabilities-loss', 'xavier-init-scale', 'adam-step'];

beforeAll(async () => {
  ctx = await setupApp();
  ctx.clock.now = T0;
  teacher = await createUser(ctx.app);
  course = await createCourse(ctx.app, [[teacher, 'INSTRUCTOR']]);
  const doc: { paths: Record<string, Record<string, { requestBody?: unknown }>> } = (await ctx.app.inject({ method: 'GET', url: '/docs/json' })).json();
  routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, hasBody: op.requestBody !== undefined })),
  );
});
afterAll(async () => ctx?.close());

type State = 'before-any-try' | 'after-wrong-try' | 'after-finish' | 'after-close';
const STATES: State[] = ['before-any-try', 'after-wrong-try', 'after-finish', 'after-close'];

/** What the policy releases to the student, once the attempt is (or is not) finished and the exam (or not) closed. */
function released(release: (typeof RELEASE)[number], finished: boolean, closed: boolean): boolean {
  // Three tries per question and only wrong answers are sent, so no question ends before finish.
  if (release === 'never') return false;
  if (release === 'after-close') return finished && closed;
  return finished;
}

/** The order of the walk: reads first, then writes, then finishing, then leaving the course. */
function order(r: { method: string; path: string }): number {
  if (r.method === 'GET') return 0;
  if (r.path.endsWith('/finish')) return 2;
  if (r.method === 'DELETE' && r.path.includes('/members/')) return 3;
  return 1;
}

interface Secrets {
  texts: string[];
}

/** The strings whose presence in a response means a leak: each solution and each multi-digit answer, as JSON text. */
async function secretsOf(attemptId: string): Promise<Secrets> {
  const variants = await ctx.app.prisma.variant.findMany({ where: { attemptQuestion: { attemptId } } });
  const texts = new Set<string>();
  for (const v of variants) {
    texts.add(JSON.stringify(v.solution).slice(1, -1));
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (typeof x === 'number') {
        const t = JSON.stringify(x);
        // Short numbers (2, 0.5) occur everywhere; a number the prompt shows is no secret.
        if (t.replace(/[-.]/g, '').length >= 5 && !v.prompt.includes(t)) texts.add(t);
      }
    };
    walk(v.answers);
  }
  return { texts: [...texts] };
}

describe.each(RELEASE.flatMap((release) => [true, false].map((during) => ({ release, during }))))(
  'release $release, gradeDuringAttempt $during',
  ({ release, during }) => {
    it.each(STATES)('no route shows a student the answers %s unless the policy releases them', async (state) => {
      ctx.clock.now = T0;
      const u = await createUser(ctx.app);
      await ctx.app.prisma.membership.create({ data: { userId: u.id, courseId: course.id, role: 'STUDENT' } });
      const exam = await ctx.app.prisma.exam.create({
        data: {
          courseId: course.id,
          title: 'Walked exam',
          status: 'PUBLISHED',
          blueprint: toJson({
            sections: [{ count: TEMPLATES.length, points: 10, pool: { templates: TEMPLATES } }],
            policies: { release, gradeDuringAttempt: during, triesPerQuestion: 3, closesAt: CLOSES.toISOString() },
          }),
        },
      });
      const started = await ctx.app.inject({ method: 'POST', url: `/api/v1/exams/${exam.id}/attempts`, headers: u.auth });
      expect(started.statusCode).toBe(201);
      const attemptId: string = started.json().id;
      const first = (await ctx.app.prisma.variant.findMany({ where: { attemptQuestion: { attemptId, position: 1 } } }))[0];
      const wrong = perturbedSubmission({ secret: { answers: first.answers, parts: first.parts } } as never);

      let finished = false;
      let closed = false;
      if (state === 'after-wrong-try') {
        const url = `/api/v1/attempts/${attemptId}/questions/1/${during ? 'submissions' : 'answers'}`;
        const r = await ctx.app.inject({ method: during ? 'POST' : 'PUT', url, headers: u.auth, payload: { answers: wrong } });
        expect(r.statusCode, r.body).toBeLessThan(300);
      }
      if (state === 'after-finish') {
        expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/attempts/${attemptId}/finish`, headers: u.auth })).statusCode).toBe(200);
        finished = true;
      }
      if (state === 'after-close') {
        ctx.clock.now = new Date(CLOSES.getTime() + 60_000);
        finished = closed = true; // its deadline is the close: the next touch finishes it
      }
      const secrets = await secretsOf(attemptId);
      expect(secrets.texts.length).toBeGreaterThanOrEqual(TEMPLATES.length);

      const ids: Record<string, string> = {
        courseId: course.id,
        examId: exam.id,
        attemptId,
        variantId: first.id,
        position: '1',
        userId: u.id,
        templateId: TEMPLATES[0],
        slug: TEMPLATES[0],
        version: '1',
        code: 'NOSUCHCODE',
        // Ids nobody has: the routes under them must refuse a student before looking them up.
        webhookId: '00000000-0000-4000-8000-000000000001',
        deliveryId: '00000000-0000-4000-8000-000000000002',
        keyId: '00000000-0000-4000-8000-000000000003',
        // LTI: a registration (administrators only) and a deep-linking request nobody made.
        registrationId: '00000000-0000-4000-8000-000000000003',
        deepLinkId: '00000000-0000-4000-8000-000000000004',
        kid: 'no-such-kid',
      };
      const bodies: Record<string, unknown> = { answers: wrong };
      let sawReleased = false;
      for (const r of [...routes].sort((a, b) => order(a) - order(b))) {
        if (!r.path.startsWith('/api/')) continue;
        const url = r.path.replace(/\{(\w+)\}/g, (_, name: string) => {
          const id = ids[name];
          if (id === undefined) throw new Error(`the leak walk cannot fill {${name}} in ${r.method} ${r.path}: add it to ids`);
          return id;
        });
        const payload = r.hasBody ? (/submissions|answers$/.test(r.path) ? bodies : {}) : undefined;
        const res = await ctx.app.inject({ method: r.method as 'GET', url, headers: u.auth, ...(payload !== undefined ? { payload: payload as object } : {}) });
        expect(res.body ? (JSON.parse(res.body) as { code?: string }).code : undefined, `${r.method} ${r.path}`).not.toBe('ROUTE_NOT_FOUND');
        expect(res.statusCode, `${r.method} ${r.path}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
        if (r.path.endsWith('/finish') && res.statusCode === 200) finished = true;
        const leaked = secrets.texts.filter((t) => res.body.includes(t));
        if (released(release, finished, closed)) {
          if (leaked.length && r.path === '/api/v1/attempts/{attemptId}') sawReleased = true;
        } else {
          expect(leaked, `${r.method} ${r.path} (${state}) showed ${leaked.join(' | ').slice(0, 200)}`).toEqual([]);
        }
      }
      // The oracle works: where the policy releases them, the attempt view does show them.
      expect(sawReleased).toBe(released(release, state === 'after-finish' || state === 'after-close', closed));
      ctx.clock.now = T0;
    });
  },
);
