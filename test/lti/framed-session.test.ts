/**
 * The session an LTI launch opens in the platform's iframe: the refresh token in the body (kept
 * in the page's memory) and in a partitioned SameSite=None cookie, so a reloaded iframe resumes
 * from the cookie. Rotations through the body rewrite the cookie (the two never hold tokens
 * of one family that would revoke it when replayed); the cookie only serves this server's own
 * pages (Origin); logout clears it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newLaunchCode } from '../../src/lti/launch-codes.js';
import { createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

let ctx: TestContext;
let user: TestUser;
const HOST = 'localhost:3000';
const ORIGIN = 'http://localhost:3000';

beforeAll(async () => {
  ctx = await setupApp({ catalogue: false });
  user = await createUser(ctx.app);
});
afterAll(async () => ctx?.close());

type Res = Awaited<ReturnType<TestContext['app']['inject']>>;
interface Cookie {
  name: string;
  value: string;
  path?: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: string;
  partitioned?: boolean;
  maxAge?: number;
}
const framed = (res: Res) => (res.cookies as Cookie[]).find((c) => c.name === 'qg_refresh_lti');
const post = (url: string, opts: { payload?: object; cookie?: string; origin?: string | null } = {}) =>
  ctx.app.inject({
    method: 'POST',
    url: `/api/v1${url}`,
    headers: {
      host: HOST,
      ...(opts.origin === null ? {} : { origin: opts.origin ?? ORIGIN }),
      ...(opts.cookie ? { cookie: `qg_refresh_lti=${opts.cookie}` } : {}),
    },
    ...(opts.payload ? { payload: opts.payload } : {}),
  });

async function launch(): Promise<{ body: { accessToken: string; refreshToken: string }; cookie: Cookie }> {
  const code = await newLaunchCode(ctx.app.prisma, user.id, ctx.app.now());
  const res = await post('/auth/lti', { payload: { code } });
  expect(res.statusCode, res.body).toBe(200);
  const cookie = framed(res);
  expect(cookie).toBeDefined();
  return { body: res.json(), cookie: cookie as Cookie };
}

describe('a framed (LTI) session', () => {
  it('hands out the refresh token in the body and in a partitioned, SameSite=None, Secure, httpOnly cookie for /api/v1/auth', async () => {
    const { body, cookie } = await launch();
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'None', partitioned: true, path: '/api/v1/auth', maxAge: 30 * 86_400 });
    expect(cookie.value).toBe(body.refreshToken);
    // The page's own Strict cookie is not set: a launch is not a password sign-in.
    expect((await post('/auth/lti', { payload: { code: 'x' } })).cookies.find((c) => c.name === 'qg_refresh')).toBeUndefined();
  });

  it('a reloaded iframe resumes from the cookie alone, and gets the tokens in the body again', async () => {
    const { cookie } = await launch();
    const res = await post('/auth/refresh', { cookie: cookie.value });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ refreshToken: string; accessToken: string }>();
    expect(body.refreshToken).toBe(framed(res)?.value);
    expect(body.refreshToken).not.toBe(cookie.value);
  });

  it('a rotation through the body rewrites the cookie, so the reload after it resumes (no stale token revokes the family)', async () => {
    const { body, cookie } = await launch();
    const rotated = await post('/auth/refresh', { payload: { refreshToken: body.refreshToken }, cookie: cookie.value });
    expect(rotated.statusCode).toBe(200);
    const next = rotated.json<{ refreshToken: string }>().refreshToken;
    expect(framed(rotated)?.value).toBe(next);
    // Beyond the grace window, the reload presents the cookie the browser now holds.
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 60_000);
    const reload = await post('/auth/refresh', { cookie: next });
    expect(reload.statusCode, reload.body).toBe(200);
  });

  it("is refused to another site's request (Origin), and a dead cookie is cleared", async () => {
    const { body, cookie } = await launch();
    expect((await post('/auth/refresh', { cookie: cookie.value, origin: 'https://evil.example' })).statusCode).toBe(403);
    expect((await post('/auth/refresh', { cookie: cookie.value, origin: null })).statusCode).toBe(403);
    expect(
      (await post('/auth/refresh', { payload: { refreshToken: body.refreshToken }, cookie: cookie.value, origin: 'https://evil.example' })).statusCode,
    ).toBe(403);
    const dead = await post('/auth/refresh', { cookie: 'not-a-token' });
    expect(dead.statusCode).toBe(401);
    expect(framed(dead)).toMatchObject({ value: '', partitioned: true });
  });

  it('logout revokes the session and clears the cookie', async () => {
    const { body, cookie } = await launch();
    const out = await post('/auth/logout', { payload: { refreshToken: body.refreshToken }, cookie: cookie.value });
    expect(out.statusCode).toBe(204);
    expect(framed(out)).toMatchObject({ value: '' });
    expect((await post('/auth/refresh', { cookie: cookie.value })).statusCode).toBe(401);
  });
});
