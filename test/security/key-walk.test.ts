/**
 * The API-key test that covers routes nobody has written yet: it reads the served OpenAPI
 * document and calls every signed-in route with a course's key that holds every scope.
 * - A route that does not list the apiKey scheme refuses the key (403) before anything else.
 * - A route that does list it accepts the key on its own course's ids (never a 401/403/500),
 *   and on another course's ids finds nothing (404; a body that does not validate is a 400).
 * - A key without the route's scope is refused (403), and an unknown, revoked or expired key
 *   is a 401 everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJson } from '../../src/db/json.js';
import { API_SCOPES } from '../../src/authz/index.js';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

interface Operation {
  security?: { bearerAuth?: string[]; apiKey?: string[] }[];
}

let ctx: TestContext;
let teacher: TestUser;
let student: TestUser;
let mine: { courseId: string; examId: string };
let theirs: { courseId: string; examId: string };
let routes: { method: string; path: string; scope: string | undefined }[];
let allScopes = '';

const blueprint = toJson({ sections: [{ count: 1, points: 1, pool: { templates: ['conv-output-size'] } }], policies: {} });

async function courseWithExam(t: TestUser) {
  const c = await createCourse(ctx.app, [
    [t, 'INSTRUCTOR'],
    [student, 'STUDENT'],
  ]);
  const e = await ctx.app.prisma.exam.create({ data: { courseId: c.id, title: 'Quiz', status: 'PUBLISHED', blueprint } });
  return { courseId: c.id, examId: e.id };
}

async function newKey(courseId: string, scopes: readonly string[], expiresAt?: string): Promise<{ id: string; key: string }> {
  const r = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/courses/${courseId}/api-keys`,
    headers: teacher.auth,
    payload: { name: 'LMS', scopes, ...(expiresAt ? { expiresAt } : {}) },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

beforeAll(async () => {
  ctx = await setupApp();
  teacher = await createUser(ctx.app);
  student = await createUser(ctx.app);
  mine = await courseWithExam(teacher);
  theirs = await courseWithExam(await createUser(ctx.app));
  const doc: { paths: Record<string, Record<string, Operation>> } = (await ctx.app.inject({ method: 'GET', url: '/docs/json' })).json();
  routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op.security)
      .map(([method, op]) => ({ method: method.toUpperCase(), path, scope: op.security?.find((s) => s.apiKey)?.apiKey?.[0] })),
  );
  allScopes = (await newKey(mine.courseId, API_SCOPES)).key;
});
afterAll(async () => ctx?.close());

function url(path: string, ids: { courseId: string; examId: string }): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'courseId') return ids.courseId;
    if (name === 'examId') return ids.examId;
    if (name === 'userId') return student.id;
    if (name === 'position') return '1';
    if (name === 'templateId' || name === 'slug') return 'conv-output-size';
    if (name === 'version') return '1';
    if (name === 'code') return 'NOSUCHCODE';
    if (name === 'kid') return 'no-such-kid';
    if (name.endsWith('Id')) return '00000000-0000-4000-8000-000000000009';
    throw new Error(`the key walk cannot fill {${name}} in ${path}: add it to url()`);
  });
}

const call = (method: string, path: string, key: string) =>
  ctx.app.inject({
    method: method as 'GET',
    url: `/api/v1${path.replace(/^\/api\/v1/, '')}`,
    headers: { authorization: `Bearer ${key}` },
    payload: method === 'GET' || method === 'DELETE' ? undefined : {},
  });

describe('API keys on every route', () => {
  it('some routes take keys, every scope is used, and the rest are the large majority', () => {
    const keyed = routes.filter((r) => r.scope);
    expect(new Set(keyed.map((r) => r.scope))).toEqual(new Set(API_SCOPES));
    expect(routes.length - keyed.length).toBeGreaterThan(keyed.length);
  });

  it('a route that does not list the apiKey scheme refuses a key with every scope (403)', async () => {
    for (const r of routes.filter((x) => !x.scope)) {
      const res = await call(r.method, url(r.path, mine), allScopes);
      expect(res.statusCode, `${r.method} ${r.path}: ${res.body}`).toBe(403);
      expect(res.json().message).toMatch(/API keys cannot use this route/);
    }
  });

  it("a route that lists it answers the key on its own course, and finds nothing of another course's", async () => {
    for (const r of routes.filter((x) => x.scope)) {
      const own = await call(r.method, url(r.path, mine), allScopes);
      expect([401, 403, 500], `${r.method} ${r.path} (own course): ${own.body}`).not.toContain(own.statusCode);
      const other = await call(r.method, url(r.path, theirs), allScopes);
      expect(r.method === 'GET' ? [404] : [400, 404], `${r.method} ${r.path} (another course): ${other.body}`).toContain(other.statusCode);
    }
  });

  it('a key without the scope of a route is refused (403) there and accepted where its scope is', async () => {
    for (const scope of API_SCOPES) {
      const { key } = await newKey(mine.courseId, [scope]);
      for (const r of routes.filter((x) => x.scope)) {
        const res = await call(r.method, url(r.path, mine), key);
        if (r.scope === scope) expect([401, 403, 500], `${r.method} ${r.path} with ${scope}`).not.toContain(res.statusCode);
        else {
          expect(res.statusCode, `${r.method} ${r.path} with ${scope}`).toBe(403);
          expect(res.json().message).toContain(`lacks the scope ${r.scope}`);
        }
      }
    }
  });

  it('an unknown, malformed, revoked or expired key is a 401 on every route', async () => {
    const revoked = await newKey(mine.courseId, API_SCOPES);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/courses/${mine.courseId}/api-keys/${revoked.id}`, headers: teacher.auth })).statusCode).toBe(
      200,
    );
    const expiring = await newKey(mine.courseId, API_SCOPES, new Date(ctx.clock.now.getTime() + 60_000).toISOString());
    const before = ctx.clock.now;
    ctx.clock.now = new Date(before.getTime() + 120_000);
    try {
      const bad = [revoked.key, expiring.key, `qgk_${'A'.repeat(43)}`, 'qgk_short'];
      for (const r of routes) {
        for (const key of bad) {
          const res = await call(r.method, url(r.path, mine), key);
          expect(res.statusCode, `${r.method} ${r.path}`).toBe(401);
        }
      }
    } finally {
      ctx.clock.now = before;
    }
  });
});
