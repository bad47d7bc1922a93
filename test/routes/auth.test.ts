import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHmac } from 'node:crypto';
import { createCourse, createUser, setupApp, TEST_SECRET, type TestContext } from '../helpers/app.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await setupApp({ catalogue: false, env: { LOGIN_RATE_LIMIT_MAX: '5' } });
});
afterAll(async () => ctx?.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'POST', url: `/api/v1${url}`, payload: payload as object, headers });

function b64(o: object) {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}
function forge(header: object, payload: object, secret = TEST_SECRET) {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

describe('register and login', () => {
  it('registers with argon2id, logs in, and reads /me', async () => {
    const reg = await post('/auth/register', { email: 'Ada@Example.org', password: 'long enough pw', name: 'Ada' });
    expect(reg.statusCode).toBe(201);
    const body = reg.json();
    expect(body.user).toMatchObject({ email: 'ada@example.org', name: 'Ada', isAdmin: false });
    expect(body.user).not.toHaveProperty('passwordHash');
    expect(reg.body).not.toContain('argon2');
    const stored = await ctx.app.prisma.user.findUniqueOrThrow({ where: { email: 'ada@example.org' } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);

    const login = await post('/auth/login', { email: 'ada@example.org', password: 'long enough pw' });
    expect(login.statusCode).toBe(200);
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${login.json().accessToken}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email: 'ada@example.org', memberships: [] });
  });

  it('refuses duplicates, weak passwords and unknown fields', async () => {
    await post('/auth/register', { email: 'dup@example.org', password: 'long enough pw', name: 'D' });
    const dup = await post('/auth/register', { email: 'DUP@example.org', password: 'long enough pw', name: 'D' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('EMAIL_TAKEN');
    const weak = await post('/auth/register', { email: 'w@example.org', password: 'short', name: 'W' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().message).toMatch(/body\.password/);
    const extra = await post('/auth/register', { email: 'x@example.org', password: 'long enough pw', name: 'X', isAdmin: true });
    expect(extra.statusCode).toBe(400);
    expect(await ctx.app.prisma.user.count({ where: { email: { in: ['w@example.org', 'x@example.org'] } } })).toBe(0);
  });

  it('joins a course with an invite code at registration', async () => {
    const teacher = await createUser(ctx.app);
    const course = await createCourse(ctx.app, [[teacher, 'INSTRUCTOR']]);
    await ctx.app.prisma.inviteCode.create({ data: { code: 'JOINME2345', courseId: course.id, createdBy: teacher.id } });
    const reg = await post('/auth/register', { email: 'joiner@example.org', password: 'long enough pw', name: 'J', inviteCode: 'JOINME2345' });
    expect(reg.statusCode).toBe(201);
    const m = await ctx.app.prisma.membership.findFirstOrThrow({ where: { courseId: course.id, user: { email: 'joiner@example.org' } } });
    expect(m.role).toBe('STUDENT');
    const bad = await post('/auth/register', { email: 'nojoin@example.org', password: 'long enough pw', name: 'N', inviteCode: 'NOSUCHCODE' });
    expect(bad.statusCode).toBe(404);
    // The whole registration rolls back: no account without its course.
    expect(await ctx.app.prisma.user.count({ where: { email: 'nojoin@example.org' } })).toBe(0);
  });

  it('says nothing about which part of a login was wrong, and rate-limits', async () => {
    await post('/auth/register', { email: 'rl@example.org', password: 'long enough pw', name: 'R' });
    const wrongPw = await post('/auth/login', { email: 'rl@example.org', password: 'nope nope nope' });
    const noUser = await post('/auth/login', { email: 'ghost@example.org', password: 'nope nope nope' });
    expect(wrongPw.statusCode).toBe(401);
    expect(noUser.statusCode).toBe(401);
    expect(wrongPw.json().message).toBe(noUser.json().message);
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await post('/auth/login', { email: 'rl@example.org', password: 'nope nope nope' })).statusCode);
    expect(codes).toContain(429);
    const limited = await post('/auth/login', { email: 'rl@example.org', password: 'long enough pw' });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
  });
});

describe('refresh tokens', () => {
  it('rotate; a replayed token revokes the family; logout revokes', async () => {
    const reg = (await post('/auth/register', { email: 'rt@example.org', password: 'long enough pw', name: 'R' })).json();
    const r1 = await post('/auth/refresh', { refreshToken: reg.refreshToken });
    expect(r1.statusCode).toBe(200);
    const t2 = r1.json().refreshToken;
    expect(t2).not.toBe(reg.refreshToken);
    // Past the reuse grace window, presenting a used token is a replay.
    const saved = ctx.clock.now;
    ctx.clock.now = new Date(saved.getTime() + 31_000);
    try {
      const replay = await post('/auth/refresh', { refreshToken: reg.refreshToken });
      expect(replay.statusCode).toBe(401);
      // The thief's replay also kills the legitimate successor.
      expect((await post('/auth/refresh', { refreshToken: t2 })).statusCode).toBe(401);
    } finally {
      ctx.clock.now = saved;
    }

    const login = (await post('/auth/login', { email: 'rt@example.org', password: 'long enough pw' })).json();
    expect((await post('/auth/logout', { refreshToken: login.refreshToken })).statusCode).toBe(204);
    expect((await post('/auth/refresh', { refreshToken: login.refreshToken })).statusCode).toBe(401);
    expect((await post('/auth/refresh', { refreshToken: 'garbage' })).statusCode).toBe(401);
  });

  it('two parallel refreshes of one token both succeed (two tabs), in the same family; a logout still ends it', async () => {
    const reg = (await post('/auth/register', { email: 'race@example.org', password: 'long enough pw', name: 'R' })).json();
    const results = await Promise.all([post('/auth/refresh', { refreshToken: reg.refreshToken }), post('/auth/refresh', { refreshToken: reg.refreshToken })]);
    expect(results.map((r) => r.statusCode)).toEqual([200, 200]);
    const [a, b] = results.map((r) => r.json().refreshToken as string);
    expect(a).not.toBe(b);
    // Both successors work; the user was not logged out.
    const next = await post('/auth/refresh', { refreshToken: a });
    expect(next.statusCode).toBe(200);
    expect((await post('/auth/refresh', { refreshToken: b })).statusCode).toBe(200);
    // A logout revokes the family: the used token's grace no longer helps.
    expect((await post('/auth/logout', { refreshToken: next.json().refreshToken })).statusCode).toBe(204);
    expect((await post('/auth/refresh', { refreshToken: reg.refreshToken })).statusCode).toBe(401);
  });

  it('expire', async () => {
    const reg = (await post('/auth/register', { email: 'exp@example.org', password: 'long enough pw', name: 'E' })).json();
    const saved = ctx.clock.now;
    ctx.clock.now = new Date(saved.getTime() + 31 * 86_400_000);
    try {
      const r = await post('/auth/refresh', { refreshToken: reg.refreshToken });
      expect(r.statusCode).toBe(401);
      expect(r.json().message).toMatch(/expired/);
    } finally {
      ctx.clock.now = saved;
    }
  });
});

describe('access tokens', () => {
  const me = (token: string) => ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
  const now = () => Math.floor(Date.now() / 1000);

  it('accept a valid token', async () => {
    const u = await createUser(ctx.app);
    expect((await me(u.token)).statusCode).toBe(200);
    const forged = forge({ alg: 'HS256', typ: 'JWT' }, { sub: u.id, adm: false, iss: 'quizgrad', aud: 'quizgrad-api', iat: now(), exp: now() + 60 });
    expect((await me(forged)).statusCode).toBe(200);
  });

  it('refuse a token once it expires, though it was accepted (and remembered) before', async () => {
    const u = await createUser(ctx.app);
    const token = forge({ alg: 'HS256', typ: 'JWT' }, { sub: u.id, adm: false, iss: 'quizgrad', aud: 'quizgrad-api', iat: now(), exp: now() + 30 });
    expect((await me(token)).statusCode).toBe(200);
    expect((await me(token)).statusCode).toBe(200);
    const later = Date.now() + 60_000;
    const clock = vi.spyOn(Date, 'now').mockReturnValue(later);
    try {
      const res = await me(token);
      expect(res.statusCode).toBe(401);
      expect(res.json().message).toMatch(/expired/);
    } finally {
      clock.mockRestore();
    }
  });

  it.each([
    ['missing', () => ctx.app.inject({ method: 'GET', url: '/api/v1/me' })],
    [
      'expired',
      (id: string) =>
        me(forge({ alg: 'HS256', typ: 'JWT' }, { sub: id, adm: false, iss: 'quizgrad', aud: 'quizgrad-api', iat: now() - 3600, exp: now() - 60 })),
    ],
    [
      'tampered',
      (id: string, token: string) => {
        const [h, , s] = token.split('.');
        return me(`${h}.${b64({ sub: id, adm: true, iss: 'quizgrad', aud: 'quizgrad-api', iat: now(), exp: now() + 600 })}.${s}`);
      },
    ],
    [
      'signed with another key',
      (id: string) =>
        me(forge({ alg: 'HS256', typ: 'JWT' }, { sub: id, adm: true, iss: 'quizgrad', aud: 'quizgrad-api', exp: now() + 60 }, 'another-secret-another-secret')),
    ],
    [
      'for another audience',
      (id: string) => me(forge({ alg: 'HS256', typ: 'JWT' }, { sub: id, adm: false, iss: 'quizgrad', aud: 'some-other-api', exp: now() + 60 })),
    ],
    [
      'from another issuer',
      (id: string) => me(forge({ alg: 'HS256', typ: 'JWT' }, { sub: id, adm: false, iss: 'evil', aud: 'quizgrad-api', exp: now() + 60 })),
    ],
    [
      'alg none',
      (id: string) => me(`${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: id, adm: true, iss: 'quizgrad', aud: 'quizgrad-api', exp: now() + 60 })}.`),
    ],
    [
      'HS512 (not allowed)',
      (id: string) => {
        const unsigned = `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64({ sub: id, adm: false, iss: 'quizgrad', aud: 'quizgrad-api', exp: now() + 60 })}`;
        return me(`${unsigned}.${createHmac('sha512', TEST_SECRET).update(unsigned).digest('base64url')}`);
      },
    ],
    ['without expiry', (id: string) => me(forge({ alg: 'HS256', typ: 'JWT' }, { sub: id, adm: false, iss: 'quizgrad', aud: 'quizgrad-api' }))],
    ['garbage', () => me('not.a.jwt')],
  ] as const)('reject a %s token with 401', async (_name, send) => {
    const u = await createUser(ctx.app);
    const res = await send(u.id, u.token);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
  });
});

describe('password change', () => {
  it('needs the current password and signs out other sessions', async () => {
    const reg = (await post('/auth/register', { email: 'pw@example.org', password: 'long enough pw', name: 'P' })).json();
    const auth = { authorization: `Bearer ${reg.accessToken}` };
    const wrong = await ctx.app.inject({
      method: 'PUT',
      url: '/api/v1/me/password',
      headers: auth,
      payload: { currentPassword: 'nope', newPassword: 'a new long password' },
    });
    expect(wrong.statusCode).toBe(401);
    const ok = await ctx.app.inject({
      method: 'PUT',
      url: '/api/v1/me/password',
      headers: auth,
      payload: { currentPassword: 'long enough pw', newPassword: 'a new long password' },
    });
    expect(ok.statusCode).toBe(204);
    expect((await post('/auth/refresh', { refreshToken: reg.refreshToken })).statusCode).toBe(401);
    expect((await post('/auth/login', { email: 'pw@example.org', password: 'a new long password' })).statusCode).toBe(200);
  });
});
