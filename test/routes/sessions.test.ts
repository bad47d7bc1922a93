/** Browser sessions: the refresh token as an httpOnly cookie, its rotation, logout, and the Origin check. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

let ctx: TestContext;
let user: TestUser;
const HOST = 'localhost:3000';
const ORIGIN = 'http://localhost:3000';

beforeAll(async () => {
  ctx = await setupApp({ catalogue: false, env: { CORS_ORIGINS: 'http://localhost:5173', LOGIN_RATE_LIMIT_MAX: '1000' } });
  user = await createUser(ctx.app);
});
afterAll(async () => ctx?.close());

interface Cookie {
  name: string;
  value: string;
  path?: string;
  maxAge?: number;
  expires?: Date;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: string;
}

type Res = Awaited<ReturnType<TestContext['app']['inject']>>;
const refreshCookie = (res: Res) => (res.cookies as Cookie[]).find((c) => c.name === 'qg_refresh');

function post(app: TestContext['app'], url: string, opts: { payload?: object; headers?: Record<string, string>; cookie?: string } = {}) {
  return app.inject({
    method: 'POST',
    url: `/api/v1${url}`,
    headers: { host: HOST, ...opts.headers, ...(opts.cookie ? { cookie: `qg_refresh=${opts.cookie}` } : {}) },
    ...(opts.payload ? { payload: opts.payload } : {}),
  });
}

async function cookieLogin(app = ctx.app, headers: Record<string, string> = { origin: ORIGIN }): Promise<{ res: Res; cookie: string }> {
  const res = await post(app, '/auth/login', { payload: { email: user.email, password: user.password, session: 'cookie' }, headers });
  expect(res.statusCode, res.body).toBe(200);
  return { res, cookie: refreshCookie(res)?.value ?? '' };
}

describe('a cookie session', () => {
  it('login sets an httpOnly, SameSite=Strict cookie for /api/v1/auth only, and leaves the refresh token out of the body', async () => {
    const { res, cookie } = await cookieLogin();
    const c = refreshCookie(res);
    expect(c).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth', maxAge: 30 * 86_400 });
    // On localhost a browser would drop a Secure cookie sent over plain http.
    expect(c?.secure).toBeUndefined();
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const body = res.json<Record<string, unknown>>();
    expect(body).not.toHaveProperty('refreshToken');
    expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { id: user.id } });
    expect(res.body).not.toContain(cookie);
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${String(body.accessToken)}` } });
    expect(me.statusCode).toBe(200);
  });

  it('register can start a cookie session too; with a foreign origin it writes nothing', async () => {
    const ok = await post(ctx.app, '/auth/register', {
      payload: { email: 'cookie-reg@example.org', password: 'long enough pw', name: 'C', session: 'cookie' },
      headers: { origin: ORIGIN },
    });
    expect(ok.statusCode).toBe(201);
    expect(refreshCookie(ok)?.httpOnly).toBe(true);
    expect(ok.json()).not.toHaveProperty('refreshToken');
    const refused = await post(ctx.app, '/auth/register', {
      payload: { email: 'cookie-evil@example.org', password: 'long enough pw', name: 'E', session: 'cookie' },
      headers: { origin: 'https://evil.example' },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'CSRF_ORIGIN_MISMATCH' });
    expect(await ctx.app.prisma.user.count({ where: { email: 'cookie-evil@example.org' } })).toBe(0);
  });

  it('a login asking for a cookie needs a matching Origin', async () => {
    const cases: Record<string, string>[] = [{}, { origin: 'https://evil.example' }, { origin: 'null' }, { origin: 'https://localhost:3000' }];
    for (const headers of cases) {
      const res = await post(ctx.app, '/auth/login', { payload: { email: user.email, password: user.password, session: 'cookie' }, headers });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.json<{ code: string }>().code).toBe('CSRF_ORIGIN_MISMATCH');
      expect(refreshCookie(res)).toBeUndefined();
    }
  });

  it('refresh without a body uses the cookie and sets the rotated one; the old one is spent', async () => {
    const { cookie } = await cookieLogin();
    const res = await post(ctx.app, '/auth/refresh', { cookie, headers: { origin: ORIGIN } });
    expect(res.statusCode, res.body).toBe(200);
    const next = refreshCookie(res);
    expect(next).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth' });
    expect(next?.value).not.toBe(cookie);
    expect(res.json()).not.toHaveProperty('refreshToken');
    // The rotated cookie works in turn.
    expect((await post(ctx.app, '/auth/refresh', { cookie: next?.value, headers: { origin: ORIGIN } })).statusCode).toBe(200);
    // The first one, presented again after the reuse grace: refused, the family revoked, the cookie cleared.
    ctx.clock.now = new Date(Date.now() + 60_000);
    try {
      const replay = await post(ctx.app, '/auth/refresh', { cookie, headers: { origin: ORIGIN } });
      expect(replay.statusCode).toBe(401);
      expect(refreshCookie(replay)).toMatchObject({ value: '', maxAge: 0, path: '/api/v1/auth' });
    } finally {
      ctx.clock.now = new Date();
    }
  });

  it('an empty JSON object as the body is the same as none', async () => {
    const { cookie } = await cookieLogin();
    const res = await post(ctx.app, '/auth/refresh', { cookie, payload: {}, headers: { origin: ORIGIN } });
    expect(res.statusCode, res.body).toBe(200);
    expect(refreshCookie(res)?.value).toBeTruthy();
  });

  it('refresh by cookie without, or with a foreign, Origin is 403 and rotates nothing', async () => {
    const { cookie } = await cookieLogin();
    const cases: Record<string, string>[] = [{}, { origin: 'https://evil.example' }, { origin: 'http://localhost:3001' }];
    for (const headers of cases) {
      const res = await post(ctx.app, '/auth/refresh', { cookie, headers });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.json<{ code: string }>().code).toBe('CSRF_ORIGIN_MISMATCH');
      expect(refreshCookie(res)).toBeUndefined();
    }
    // The cookie was never used, so it still works from the right origin.
    expect((await post(ctx.app, '/auth/refresh', { cookie, headers: { origin: ORIGIN } })).statusCode).toBe(200);
  });

  it('an origin listed in CORS_ORIGINS may use the cookie', async () => {
    const { cookie } = await cookieLogin();
    expect((await post(ctx.app, '/auth/refresh', { cookie, headers: { origin: 'http://localhost:5173' } })).statusCode).toBe(200);
  });

  it('two tabs refreshing with the same cookie at once both succeed', async () => {
    const { cookie } = await cookieLogin();
    const [a, b] = await Promise.all([
      post(ctx.app, '/auth/refresh', { cookie, headers: { origin: ORIGIN } }),
      post(ctx.app, '/auth/refresh', { cookie, headers: { origin: ORIGIN } }),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    const [ca, cb] = [refreshCookie(a)?.value, refreshCookie(b)?.value];
    expect(ca).toBeTruthy();
    expect(cb).toBeTruthy();
    expect(ca).not.toBe(cb);
    // Whichever cookie the browser kept works.
    for (const c of [ca, cb]) expect((await post(ctx.app, '/auth/refresh', { cookie: c, headers: { origin: ORIGIN } })).statusCode).toBe(200);
  });

  it('logout by cookie revokes it and clears the cookie', async () => {
    const { cookie } = await cookieLogin();
    expect((await post(ctx.app, '/auth/logout', { cookie })).statusCode).toBe(403);
    const out = await post(ctx.app, '/auth/logout', { cookie, headers: { origin: ORIGIN } });
    expect(out.statusCode).toBe(204);
    const cleared = refreshCookie(out);
    expect(cleared).toMatchObject({ value: '', maxAge: 0, path: '/api/v1/auth', httpOnly: true, sameSite: 'Strict' });
    expect(cleared?.expires?.getTime()).toBe(0);
    expect((await post(ctx.app, '/auth/refresh', { cookie, headers: { origin: ORIGIN } })).statusCode).toBe(401);
    // Logging out with nothing to log out is no error.
    expect((await post(ctx.app, '/auth/logout', { headers: { origin: ORIGIN } })).statusCode).toBe(204);
  });

  it('refresh with neither a body token nor a cookie is 401', async () => {
    const res = await post(ctx.app, '/auth/refresh', { headers: { origin: ORIGIN } });
    expect(res.statusCode).toBe(401);
    expect(res.json<{ message: string }>().message).toMatch(/qg_refresh/);
  });
});

describe('token sessions are as before', () => {
  it('login without `session` returns both tokens and sets no cookie; refresh and logout by body ignore a cookie', async () => {
    const login = await post(ctx.app, '/auth/login', { payload: { email: user.email, password: user.password } });
    expect(login.statusCode).toBe(200);
    expect(refreshCookie(login)).toBeUndefined();
    const { refreshToken } = login.json<{ refreshToken: string }>();
    expect(refreshToken).toBeTruthy();
    const { cookie } = await cookieLogin();
    // No Origin needed: a body token is not ambient; the cookie is neither used nor touched.
    const r = await post(ctx.app, '/auth/refresh', { payload: { refreshToken }, cookie });
    expect(r.statusCode).toBe(200);
    expect(refreshCookie(r)).toBeUndefined();
    const next = r.json<{ refreshToken: string }>().refreshToken;
    expect(next).toBeTruthy();
    const out = await post(ctx.app, '/auth/logout', { payload: { refreshToken: next }, cookie });
    expect(out.statusCode).toBe(204);
    expect(refreshCookie(out)).toBeUndefined();
    expect((await post(ctx.app, '/auth/refresh', { payload: { refreshToken: next } })).statusCode).toBe(401);
    expect((await post(ctx.app, '/auth/refresh', { cookie, headers: { origin: ORIGIN } })).statusCode).toBe(200);
  });

  it('bodies stay strict', async () => {
    const bad = await post(ctx.app, '/auth/login', { payload: { email: user.email, password: user.password, session: 'localStorage' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toMatch(/body\.session/);
    expect((await post(ctx.app, '/auth/refresh', { payload: { refreshToken: 'x', extra: 1 } })).statusCode).toBe(400);
  });

  it('the document shows the session field, an optional refresh token and optional refresh/logout bodies', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/docs/json' })).json<{
      paths: Record<
        string,
        { post: { requestBody: { required: boolean; content: Record<string, { schema: { properties: Record<string, { enum?: string[] }> } }> } } }
      >;
    }>();
    const login = doc.paths['/api/v1/auth/login'].post.requestBody;
    expect(login.required).toBe(true);
    expect(login.content['application/json'].schema.properties.session.enum).toEqual(['token', 'cookie']);
    for (const p of ['/api/v1/auth/refresh', '/api/v1/auth/logout']) expect(doc.paths[p].post.requestBody.required, p).toBe(false);
    expect(doc.paths['/api/v1/exams/{examId}/regrade'].post.requestBody.required).toBe(false);
  });
});

describe('behind a TLS-terminating proxy', () => {
  it('the cookie is Secure for a host other than localhost, and the own origin is the forwarded one', async () => {
    const proxied = await setupApp({ catalogue: false, env: { TRUST_PROXY: 'true' } });
    try {
      const u = await createUser(proxied.app);
      const headers = { host: 'quizgrad.example.org', 'x-forwarded-proto': 'https' };
      const login = (origin: string) =>
        proxied.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          headers: { ...headers, origin },
          payload: { email: u.email, password: u.password, session: 'cookie' },
        });
      const ok = await login('https://quizgrad.example.org');
      expect(ok.statusCode, ok.body).toBe(200);
      expect(refreshCookie(ok)).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict' });
      // The same host over plain http is another origin.
      expect((await login('http://quizgrad.example.org')).statusCode).toBe(403);
    } finally {
      await proxied.close();
    }
  });

  it('COOKIE_SECURE=true sets Secure even on localhost', async () => {
    const strict = await setupApp({ catalogue: false, env: { COOKIE_SECURE: 'true' } });
    try {
      const u = await createUser(strict.app);
      const res = await strict.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { host: HOST, origin: ORIGIN },
        payload: { email: u.email, password: u.password, session: 'cookie' },
      });
      expect(refreshCookie(res)?.secure).toBe(true);
    } finally {
      await strict.close();
    }
  });
});
