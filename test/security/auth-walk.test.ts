/**
 * The authentication test that covers routes nobody has written yet: every route of the served
 * OpenAPI document that is not on the public allow-list below must answer 401 without an access
 * token, with a malformed one, with one signed by another key and with an expired one, and its
 * document entry must say it needs a bearer token. A new route that is registered outside the
 * signed-in subtree (routes/index.ts) fails here without anyone naming it.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, setupApp, TEST_SECRET, type TestContext } from '../helpers/app.js';

/** The routes anyone may call: they carry their own credentials (password, refresh token, LTI id_token, one-time codes) or none (health, JWKS). */
const PUBLIC = new Set([
  'POST /api/v1/auth/register',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/refresh',
  'POST /api/v1/auth/logout',
  'GET /health/live',
  'GET /health/ready',
  // LTI 1.3: each carries its own credential. The code is a launch's one-time sign-in code.
  'POST /api/v1/auth/lti',
  // The tool's public keys: public by definition.
  'GET /lti/jwks',
  // OIDC login initiation: only stores a one-time state and redirects to a registered platform.
  'GET /lti/login',
  'POST /lti/login',
  // The launch: its credential is the platform-signed id_token and the one-time state.
  'POST /lti/launch',
  // Dynamic registration: an administrator's one-time invite in the URL.
  'GET /lti/register',
  // The deep-linking return form: a one-time ticket in the path.
  'GET /lti/deep-link-return/{ticket}',
  // Static scripts of the LTI pages.
  'GET /lti/close.js',
  'GET /lti/autosubmit.js',
]);

interface Operation {
  requestBody?: unknown;
  security?: unknown;
}

let ctx: TestContext;
let routes: { method: string; path: string; op: Operation }[];
let expired: string;
let foreign: string;

beforeAll(async () => {
  ctx = await setupApp({ catalogue: false });
  const doc: { paths: Record<string, Record<string, Operation>> } = (await ctx.app.inject({ method: 'GET', url: '/docs/json' })).json();
  routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
  const u = await createUser(ctx.app);
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: u.id, adm: false, iss: 'quizgrad', aud: 'quizgrad-api', iat: now };
  expired = hs256({ ...claims, iat: now - 7200, exp: now - 3600 }, TEST_SECRET);
  foreign = hs256({ ...claims, exp: now + 600 }, 'another-secret-that-is-long-enough-012345');
});

/** An HS256 JWT, made by hand so the test does not trust the library it checks. */
function hs256(payload: object, secret: string): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}
afterAll(async () => ctx?.close());

/** Path parameters filled with well-formed values (authentication must refuse before they are looked at). */
function fill(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'position') return '1';
    if (name === 'templateId' || name === 'slug') return 'some-template';
    if (name === 'version') return '1';
    if (name === 'code') return 'NOSUCHCODE';
    if (name === 'kid') return 'no-such-kid';
    if (name.endsWith('Id')) return '00000000-0000-4000-8000-000000000000';
    throw new Error(`the auth walk cannot fill {${name}} in ${path}: add it to fill()`);
  });
}

describe('every route outside the public allow-list needs an access token', () => {
  it('the allow-list names only routes that exist', () => {
    const served = new Set(routes.map((r) => `${r.method} ${r.path}`));
    for (const p of PUBLIC) expect(served.has(p), p).toBe(true);
    // The walk walks something: more protected routes than public ones.
    expect(routes.length).toBeGreaterThan(PUBLIC.size + 30);
  });

  it.each([
    ['no token', undefined],
    ['a malformed token', 'Bearer garbage.garbage.garbage'],
    ['a token that is not a bearer token', 'Basic dXNlcjpwYXNz'],
  ])('with %s: 401 UNAUTHORIZED from every protected route', async (_, authorization) => {
    for (const r of routes) {
      if (PUBLIC.has(`${r.method} ${r.path}`)) continue;
      const res = await ctx.app.inject({
        method: r.method as 'GET',
        url: fill(r.path),
        headers: authorization ? { authorization } : {},
        ...(r.op.requestBody !== undefined ? { payload: {} } : {}),
      });
      expect(res.statusCode, `${r.method} ${r.path}: ${res.body.slice(0, 200)}`).toBe(401);
      expect(res.json<{ code: string }>().code).toBe('UNAUTHORIZED');
    }
  });

  it('with an expired token or one signed by another key: 401 from every protected route', async () => {
    for (const token of [expired, foreign]) {
      for (const r of routes) {
        if (PUBLIC.has(`${r.method} ${r.path}`)) continue;
        const res = await ctx.app.inject({ method: r.method as 'GET', url: fill(r.path), headers: { authorization: `Bearer ${token}` } });
        expect(res.statusCode, `${r.method} ${r.path}`).toBe(401);
      }
    }
  });

  it('the document says which routes need a bearer token, and only those', () => {
    for (const r of routes) {
      const isPublic = PUBLIC.has(`${r.method} ${r.path}`);
      // A route that also takes API keys lists the scheme with its scope after the bearer token.
      const keyed = (r.op.security as { apiKey?: string[] }[] | undefined)?.find((s) => s.apiKey);
      expect(r.op.security, `${r.method} ${r.path}`).toEqual(isPublic ? undefined : keyed ? [{ bearerAuth: [] }, keyed] : [{ bearerAuth: [] }]);
    }
  });

  it('a public route answers without a token', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'nobody@example.org', password: 'x' } });
    // Wrong credentials are a 401 too, but from the handler: the message says so.
    expect(login.statusCode).toBe(401);
    expect(login.json<{ message: string }>().message).toBe('wrong email or password');
  });
});
