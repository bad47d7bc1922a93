import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INVITE_ALPHABET, redeemInvite } from '../../src/courses/invites.js';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

let ctx: TestContext;
let teacher: TestUser;
let ta: TestUser;
let student: TestUser;
let outsider: TestUser;
let course: { id: string; code: string };

const DAY = 24 * 60 * 60 * 1000;
const START = new Date('2026-03-01T12:00:00.000Z');

beforeAll(async () => {
  ctx = await setupApp({ catalogue: false });
  teacher = await createUser(ctx.app);
  ta = await createUser(ctx.app);
  student = await createUser(ctx.app);
  outsider = await createUser(ctx.app);
  course = await createCourse(ctx.app, [
    [teacher, 'INSTRUCTOR'],
    [ta, 'TA'],
    [student, 'STUDENT'],
  ]);
});
afterAll(async () => ctx?.close());
afterEach(() => {
  ctx.clock.now = new Date(START);
});

function create(user: TestUser, payload: unknown = {}, courseId = course.id) {
  return ctx.app.inject({ method: 'POST', url: `/api/v1/courses/${courseId}/invites`, headers: user.auth, payload: payload as object });
}
function list(user: TestUser, courseId = course.id) {
  return ctx.app.inject({ method: 'GET', url: `/api/v1/courses/${courseId}/invites`, headers: user.auth });
}
function revoke(user: TestUser, code: string, courseId = course.id) {
  return ctx.app.inject({ method: 'DELETE', url: `/api/v1/courses/${courseId}/invites/${code}`, headers: user.auth });
}
function join(user: TestUser, payload: unknown) {
  return ctx.app.inject({ method: 'POST', url: '/api/v1/courses/join', headers: user.auth, payload: payload as object });
}
async function newCode(payload: Record<string, unknown> = {}, courseId = course.id): Promise<string> {
  const res = await create(teacher, payload, courseId);
  expect(res.statusCode).toBe(201);
  return res.json().code;
}
async function uses(code: string) {
  return (await ctx.app.prisma.inviteCode.findUniqueOrThrow({ where: { code } })).uses;
}
async function roleOf(courseId: string, userId: string) {
  const m = await ctx.app.prisma.membership.findUnique({ where: { userId_courseId: { userId, courseId } } });
  return m?.role ?? null;
}
function expectInvalid(res: { statusCode: number; json(): unknown }) {
  expect(res.statusCode).toBe(404);
  expect(res.json()).toEqual({ statusCode: 404, code: 'INVITE_INVALID', message: 'invite code is invalid, expired or used up' });
}

describe('POST /courses/:courseId/invites', () => {
  it('creates a 10-character STUDENT code by default, with exactly the documented fields', async () => {
    ctx.clock.now = new Date(START);
    const res = await create(teacher);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['code', 'createdAt', 'expiresAt', 'maxUses', 'role', 'uses']);
    expect(body).toMatchObject({ role: 'STUDENT', maxUses: null, uses: 0, expiresAt: null, createdAt: START.toISOString() });
    expect(body.code).toHaveLength(10);
    for (const ch of body.code) expect(INVITE_ALPHABET).toContain(ch);
    expect(body.code).not.toMatch(/[0O1IL]/);
  });

  it('sets maxUses and an expiry counted from the server clock', async () => {
    ctx.clock.now = new Date(START);
    const res = await create(teacher, { role: 'TA', maxUses: 5, expiresInDays: 7 });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ role: 'TA', maxUses: 5, uses: 0, expiresAt: new Date(START.getTime() + 7 * DAY).toISOString() });
  });

  it('gives different codes every time', async () => {
    const codes = new Set<string>();
    for (let i = 0; i < 20; i++) codes.add(await newCode());
    expect(codes.size).toBe(20);
  });

  it('lets a TA create STUDENT codes only', async () => {
    expect((await create(ta)).statusCode).toBe(201);
    expect((await create(ta, { role: 'STUDENT', maxUses: 3 })).statusCode).toBe(201);
    for (const role of ['TA', 'INSTRUCTOR']) {
      const res = await create(ta, { role });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
  });

  it('refuses students (403) and non-members (404)', async () => {
    expect((await create(student)).statusCode).toBe(403);
    const res = await create(outsider);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
  });

  it('rejects unknown fields and out-of-range values with 400 naming the field', async () => {
    const extra = await create(teacher, { role: 'STUDENT', uses: 0 });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().message).toContain('uses');
    for (const [field, value] of [
      ['maxUses', 0],
      ['maxUses', 10_001],
      ['maxUses', 1.5],
      ['expiresInDays', 0],
      ['expiresInDays', 366],
      ['role', 'ADMIN'],
    ] as const) {
      const res = await create(teacher, { [field]: value });
      expect(res.statusCode, `${field}=${value}`).toBe(400);
      expect(res.json().details[0].path).toBe(`body.${field}`);
    }
    expect((await create(teacher, { maxUses: 10_000, expiresInDays: 365 })).statusCode).toBe(201);
  });
});

describe('GET /courses/:courseId/invites', () => {
  it('lists every code to instructors, only STUDENT codes to TAs, nothing to students', async () => {
    const c = await createCourse(ctx.app, [
      [teacher, 'INSTRUCTOR'],
      [ta, 'TA'],
      [student, 'STUDENT'],
    ]);
    const s = await newCode({}, c.id);
    const t = await newCode({ role: 'TA' }, c.id);
    const i = await newCode({ role: 'INSTRUCTOR', maxUses: 1 }, c.id);
    await revoke(teacher, s, c.id);

    const all = await list(teacher, c.id);
    expect(all.statusCode).toBe(200);
    expect(all.json()).toMatchObject({ page: 1, pageSize: 20, total: 3 });
    expect(
      all
        .json()
        .items.map((x: { code: string }) => x.code)
        .sort(),
    ).toEqual([s, t, i].sort());
    const item = all.json().items.find((x: { code: string }) => x.code === s);
    expect(Object.keys(item).sort()).toEqual(['code', 'createdAt', 'expiresAt', 'maxUses', 'revokedAt', 'role', 'uses']);
    expect(item.revokedAt).not.toBeNull();

    const byTa = await list(ta, c.id);
    expect(byTa.statusCode).toBe(200);
    expect(byTa.json().items.map((x: { code: string }) => x.code)).toEqual([s]);
    expect(byTa.json().total).toBe(1);

    expect((await list(student, c.id)).statusCode).toBe(403);
    expect((await list(outsider, c.id)).statusCode).toBe(404);
  });
});

describe('DELETE /courses/:courseId/invites/:code', () => {
  it('revokes a code (204), after which it cannot be used', async () => {
    ctx.clock.now = new Date(START);
    const code = await newCode();
    const res = await revoke(teacher, code);
    expect(res.statusCode).toBe(204);
    const row = await ctx.app.prisma.inviteCode.findUniqueOrThrow({ where: { code } });
    expect(row.revokedAt?.toISOString()).toBe(START.toISOString());
    expectInvalid(await join(outsider, { code }));
    expect(await roleOf(course.id, outsider.id)).toBeNull();
    // Revoking again is harmless and keeps the first time.
    ctx.clock.now = new Date(START.getTime() + DAY);
    expect((await revoke(teacher, code)).statusCode).toBe(204);
    expect((await ctx.app.prisma.inviteCode.findUniqueOrThrow({ where: { code } })).revokedAt?.toISOString()).toBe(START.toISOString());
  });

  it('is for instructors only, and 404s codes of other courses', async () => {
    const code = await newCode();
    expect((await revoke(ta, code)).statusCode).toBe(403);
    expect((await revoke(student, code)).statusCode).toBe(403);
    expect((await revoke(outsider, code)).statusCode).toBe(404);
    const other = await createCourse(ctx.app, [[teacher, 'INSTRUCTOR']]);
    const res = await revoke(teacher, code, other.id);
    expect(res.statusCode).toBe(404);
    expect((await revoke(teacher, 'NOSUCHCODE')).statusCode).toBe(404);
    expect((await ctx.app.prisma.inviteCode.findUniqueOrThrow({ where: { code } })).revokedAt).toBeNull();
  });
});

describe('POST /courses/join', () => {
  it("joins the course with the code's role and counts the use", async () => {
    const c = await createCourse(ctx.app, [[teacher, 'INSTRUCTOR']]);
    const code = await newCode({ role: 'TA' }, c.id);
    const u = await createUser(ctx.app);
    const res = await join(u, { code });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['course', 'role']);
    expect(Object.keys(body.course).sort()).toEqual(['code', 'createdAt', 'id', 'title']);
    expect(body).toMatchObject({ course: { id: c.id, code: c.code }, role: 'TA' });
    expect(await roleOf(c.id, u.id)).toBe('TA');
    expect(await uses(code)).toBe(1);
  });

  it('forgives lower case and surrounding spaces', async () => {
    const code = await newCode();
    const u = await createUser(ctx.app);
    const res = await join(u, { code: `  ${code.toLowerCase()} ` });
    expect(res.statusCode).toBe(200);
    expect(await roleOf(course.id, u.id)).toBe('STUDENT');
  });

  it('answers 409 to members and does not count the use', async () => {
    const code = await newCode();
    const res = await join(student, { code });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('ALREADY_MEMBER');
    expect(await uses(code)).toBe(0);
    expect(await roleOf(course.id, student.id)).toBe('STUDENT');
  });

  it('refuses unknown, expired and used-up codes with one and the same 404', async () => {
    ctx.clock.now = new Date(START);
    const u = await createUser(ctx.app);
    expectInvalid(await join(u, { code: 'ABCDEFGHJK' }));
    expectInvalid(await join(u, { code: 'x' }));

    const expiring = await newCode({ expiresInDays: 2 });
    ctx.clock.now = new Date(START.getTime() + 2 * DAY);
    expectInvalid(await join(u, { code: expiring }));
    expect(await uses(expiring)).toBe(0);
    ctx.clock.now = new Date(START.getTime() + 2 * DAY - 1);
    expect((await join(u, { code: expiring })).statusCode).toBe(200);

    ctx.clock.now = new Date(START);
    const c = await createCourse(ctx.app, [[teacher, 'INSTRUCTOR']]);
    const once = await newCode({ maxUses: 1 }, c.id);
    expect((await join(u, { code: once })).statusCode).toBe(200);
    const v = await createUser(ctx.app);
    expectInvalid(await join(v, { code: once }));
    expect(await uses(once)).toBe(1);
    expect(await roleOf(c.id, v.id)).toBeNull();
  });

  it('lets exactly one of two concurrent redemptions of a 1-use code succeed', async () => {
    for (let round = 0; round < 3; round++) {
      const c = await createCourse(ctx.app, [[teacher, 'INSTRUCTOR']]);
      const code = await newCode({ maxUses: 1 }, c.id);
      const a = await createUser(ctx.app);
      const b = await createUser(ctx.app);
      const results = await Promise.all([join(a, { code }), join(b, { code })]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 404]);
      expect(await uses(code)).toBe(1);
      expect(await ctx.app.prisma.membership.count({ where: { courseId: c.id, role: 'STUDENT' } })).toBe(1);
    }
  });

  it('counts every use of a shared code under concurrency, up to maxUses', async () => {
    const c = await createCourse(ctx.app, [[teacher, 'INSTRUCTOR']]);
    const code = await newCode({ maxUses: 3 }, c.id);
    const users = await Promise.all(Array.from({ length: 6 }, () => createUser(ctx.app)));
    const results = await Promise.all(users.map((u) => join(u, { code })));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(3);
    expect(results.filter((r) => r.statusCode === 404)).toHaveLength(3);
    expect(await uses(code)).toBe(3);
  });

  it('validates the body (400)', async () => {
    const extra = await join(outsider, { code: 'ABCDEFGHJK', role: 'INSTRUCTOR' });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().message).toContain('role');
    const missing = await join(outsider, {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json().details[0].path).toBe('body.inviteCode');
  });
});

describe('redeemInvite inside a caller’s transaction', () => {
  it('joins within the transaction, and the rollback of the caller undoes the use', async () => {
    const c = await createCourse(ctx.app, [[teacher, 'INSTRUCTOR']]);
    const code = await newCode({ maxUses: 1 }, c.id);
    const u = await createUser(ctx.app);
    await expect(
      ctx.app.prisma.$transaction(async (tx) => {
        const r = await redeemInvite(tx, code, u.id, ctx.app.now());
        expect(r).toEqual({ courseId: c.id, role: 'STUDENT' });
        throw new Error('registration failed later');
      }),
    ).rejects.toThrow('registration failed later');
    expect(await uses(code)).toBe(0);
    expect(await roleOf(c.id, u.id)).toBeNull();

    const r = await ctx.app.prisma.$transaction((tx) => redeemInvite(tx, code, u.id, ctx.app.now()));
    expect(r).toEqual({ courseId: c.id, role: 'STUDENT' });
    expect(await uses(code)).toBe(1);
    expect(await roleOf(c.id, u.id)).toBe('STUDENT');
  });

  it('throws INVITE_INVALID for a bad code, checked against the given time', async () => {
    ctx.clock.now = new Date(START);
    const code = await newCode({ expiresInDays: 1 });
    const u = await createUser(ctx.app);
    await expect(redeemInvite(ctx.app.prisma, code, u.id, new Date(START.getTime() + DAY))).rejects.toMatchObject({
      statusCode: 404,
      code: 'INVITE_INVALID',
    });
    await expect(redeemInvite(ctx.app.prisma, 'NOPE', u.id, START)).rejects.toMatchObject({ code: 'INVITE_INVALID' });
    expect(await redeemInvite(ctx.app.prisma, code, u.id, START)).toEqual({ courseId: course.id, role: 'STUDENT' });
  });
});
