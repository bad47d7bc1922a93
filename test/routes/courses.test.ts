import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

let ctx: TestContext;
let teacher: TestUser;
let student: TestUser;
let admin: TestUser;
let outsider: TestUser;
let course: { id: string; code: string };

beforeAll(async () => {
  ctx = await setupApp({ catalogue: false });
  teacher = await createUser(ctx.app);
  student = await createUser(ctx.app);
  admin = await createUser(ctx.app, { admin: true });
  outsider = await createUser(ctx.app);
  course = await createCourse(ctx.app, [
    [teacher, 'INSTRUCTOR'],
    [student, 'STUDENT'],
  ]);
});
afterAll(async () => ctx?.close());

function post(user: TestUser | undefined, payload: unknown) {
  return ctx.app.inject({ method: 'POST', url: '/api/v1/courses', headers: user?.auth ?? {}, payload: payload as object });
}

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

describe('POST /courses', () => {
  it('lets an instructor create a course with a chosen code and makes them its INSTRUCTOR', async () => {
    const code = unique('DL');
    const res = await post(teacher, { title: '  Deep Learning  ', code });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['code', 'createdAt', 'id', 'role', 'title']);
    expect(body).toMatchObject({ title: 'Deep Learning', code, role: 'INSTRUCTOR' });
    expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt);
    const m = await ctx.app.prisma.membership.findUnique({ where: { userId_courseId: { userId: teacher.id, courseId: body.id } } });
    expect(m?.role).toBe('INSTRUCTOR');
  });

  it('generates a valid code when none is given', async () => {
    const res = await post(teacher, { title: 'Réseaux de neurones: été 2026!' });
    expect(res.statusCode).toBe(201);
    expect(res.json().code).toMatch(/^[A-Za-z0-9_-]{2,40}$/);
    expect(res.json().code).toMatch(/^reseaux-de-neurones-ete-[a-z2-9]{6}$/);
    const other = await post(teacher, { title: '!!!' });
    expect(other.json().code).toMatch(/^course-[a-z2-9]{6}$/);
  });

  it('lets an administrator without courses create one', async () => {
    const res = await post(admin, { title: 'Admin course' });
    expect(res.statusCode).toBe(201);
    expect(res.json().role).toBe('INSTRUCTOR');
  });

  it('refuses students and people without courses (403)', async () => {
    for (const user of [student, outsider]) {
      const res = await post(user, { title: 'Mine' });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
    expect(await ctx.app.prisma.course.count({ where: { title: 'Mine' } })).toBe(0);
  });

  it('refuses a code that is taken (409)', async () => {
    const res = await post(teacher, { title: 'Copy', code: course.code });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ statusCode: 409, code: 'COURSE_CODE_TAKEN' });
    expect(await ctx.app.prisma.course.count({ where: { title: 'Copy' } })).toBe(0);
  });

  it('rejects unknown fields and bad values with 400 naming the field', async () => {
    const extra = await post(teacher, { title: 'X', owner: 'me' });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().code).toBe('VALIDATION_ERROR');
    expect(extra.json().message).toContain('owner');

    const badCode = await post(teacher, { title: 'X', code: 'has space' });
    expect(badCode.statusCode).toBe(400);
    expect(badCode.json().details[0].path).toBe('body.code');

    const short = await post(teacher, { title: 'X', code: 'A' });
    expect(short.statusCode).toBe(400);

    const long = await post(teacher, { title: 'x'.repeat(201) });
    expect(long.statusCode).toBe(400);
    expect(long.json().details[0].path).toBe('body.title');

    const empty = await post(teacher, { title: '   ' });
    expect(empty.statusCode).toBe(400);
  });

  it('needs a bearer token (401)', async () => {
    const res = await post(undefined, { title: 'X' });
    expect(res.statusCode).toBe(401);
  });
});

describe('GET /courses', () => {
  it('lists only my courses with my role, paginated', async () => {
    const me = await createUser(ctx.app);
    const a = await createCourse(ctx.app, [[me, 'STUDENT']]);
    const b = await createCourse(ctx.app, [[me, 'TA']]);
    const c = await createCourse(ctx.app, [[me, 'INSTRUCTOR']]);
    await createCourse(ctx.app, [[outsider, 'STUDENT']]);

    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/courses', headers: me.auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ page: 1, pageSize: 20, total: 3 });
    const roles = Object.fromEntries(body.items.map((i: { id: string; role: string }) => [i.id, i.role]));
    expect(roles).toEqual({ [a.id]: 'STUDENT', [b.id]: 'TA', [c.id]: 'INSTRUCTOR' });
    expect(Object.keys(body.items[0]).sort()).toEqual(['code', 'createdAt', 'id', 'role', 'title']);

    const page1 = (await ctx.app.inject({ method: 'GET', url: '/api/v1/courses?page=1&pageSize=2', headers: me.auth })).json();
    const page2 = (await ctx.app.inject({ method: 'GET', url: '/api/v1/courses?page=2&pageSize=2', headers: me.auth })).json();
    expect(page1).toMatchObject({ page: 1, pageSize: 2, total: 3 });
    expect(page1.items).toHaveLength(2);
    expect(page2.items).toHaveLength(1);
    const seen = [...page1.items, ...page2.items].map((i: { id: string }) => i.id).sort();
    expect(seen).toEqual([a.id, b.id, c.id].sort());
  });

  it('lists only the memberships of an administrator, not every course', async () => {
    const admin2 = await createUser(ctx.app, { admin: true });
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/courses', headers: admin2.auth });
    expect(res.json()).toMatchObject({ items: [], total: 0 });
  });

  it('rejects bad paging and unknown query parameters (400)', async () => {
    for (const q of ['pageSize=0', 'pageSize=101', 'page=0', 'foo=1']) {
      const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/courses?${q}`, headers: student.auth });
      expect(res.statusCode, q).toBe(400);
    }
  });
});

describe('GET /courses/:courseId', () => {
  it('returns the course and my role to members', async () => {
    const s = await ctx.app.inject({ method: 'GET', url: `/api/v1/courses/${course.id}`, headers: student.auth });
    expect(s.statusCode).toBe(200);
    expect(s.json()).toMatchObject({ id: course.id, code: course.code, role: 'STUDENT' });
    const t = await ctx.app.inject({ method: 'GET', url: `/api/v1/courses/${course.id}`, headers: teacher.auth });
    expect(t.json().role).toBe('INSTRUCTOR');
  });

  it('answers 404 to non-members and for unknown ids, 400 for malformed ids', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/courses/${course.id}`, headers: outsider.auth });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
    const unknown = await ctx.app.inject({ method: 'GET', url: `/api/v1/courses/00000000-0000-4000-8000-000000000000`, headers: teacher.auth });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toBe(res.json().message);
    const bad = await ctx.app.inject({ method: 'GET', url: '/api/v1/courses/not-a-uuid', headers: teacher.auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].path).toBe('params.courseId');
  });

  it('shows any course to an administrator, as instructor', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/courses/${course.id}`, headers: admin.auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().role).toBe('INSTRUCTOR');
  });
});
