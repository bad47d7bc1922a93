import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

let ctx: TestContext;
let teacher: TestUser;
let ta: TestUser;
let student: TestUser;
let outsider: TestUser;
let course: { id: string };

beforeAll(async () => {
  ctx = await setupApp({ catalogue: false });
  teacher = await createUser(ctx.app, { name: 'Teacher' });
  ta = await createUser(ctx.app, { name: 'Assistant' });
  student = await createUser(ctx.app, { name: 'Student' });
  outsider = await createUser(ctx.app);
  course = await createCourse(ctx.app, [
    [teacher, 'INSTRUCTOR'],
    [ta, 'TA'],
    [student, 'STUDENT'],
  ]);
});
afterAll(async () => ctx?.close());

const url = (courseId: string, userId?: string) => `/api/v1/courses/${courseId}/members${userId ? `/${userId}` : ''}`;

function list(user: TestUser, courseId = course.id, query = '') {
  return ctx.app.inject({ method: 'GET', url: `${url(courseId)}${query}`, headers: user.auth });
}
function add(user: TestUser, payload: unknown, courseId = course.id) {
  return ctx.app.inject({ method: 'POST', url: url(courseId), headers: user.auth, payload: payload as object });
}
function patch(user: TestUser, courseId: string, userId: string, payload: unknown) {
  return ctx.app.inject({ method: 'PATCH', url: url(courseId, userId), headers: user.auth, payload: payload as object });
}
function remove(user: TestUser, courseId: string, userId: string) {
  return ctx.app.inject({ method: 'DELETE', url: url(courseId, userId), headers: user.auth });
}
async function roleOf(courseId: string, userId: string) {
  const m = await ctx.app.prisma.membership.findUnique({ where: { userId_courseId: { userId, courseId } } });
  return m?.role ?? null;
}

describe('GET /courses/:courseId/members', () => {
  it('lists the roster to staff, instructors first, with exactly the documented fields', async () => {
    for (const user of [teacher, ta]) {
      const res = await list(user);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ page: 1, pageSize: 20, total: 3 });
      expect(body.items.map((m: { role: string }) => m.role)).toEqual(['INSTRUCTOR', 'TA', 'STUDENT']);
      expect(Object.keys(body.items[0]).sort()).toEqual(['email', 'joinedAt', 'name', 'role', 'userId']);
      expect(body.items[0]).toMatchObject({ userId: teacher.id, email: teacher.email, name: 'Teacher' });
      expect(res.body).not.toContain('passwordHash');
    }
  });

  it('filters by role and paginates', async () => {
    const students = (await list(teacher, course.id, '?role=STUDENT')).json();
    expect(students.total).toBe(1);
    expect(students.items[0].userId).toBe(student.id);
    const p2 = (await list(teacher, course.id, '?page=2&pageSize=2')).json();
    expect(p2).toMatchObject({ page: 2, pageSize: 2, total: 3 });
    expect(p2.items.map((m: { userId: string }) => m.userId)).toEqual([student.id]);
    const bad = await list(teacher, course.id, '?role=OWNER');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].path).toBe('querystring.role');
  });

  it('refuses students (403) and hides the course from non-members (404)', async () => {
    const s = await list(student);
    expect(s.statusCode).toBe(403);
    expect(s.json().code).toBe('FORBIDDEN');
    const o = await list(outsider);
    expect(o.statusCode).toBe(404);
    expect(o.json().code).toBe('NOT_FOUND');
  });
});

describe('POST /courses/:courseId/members', () => {
  it('lets an instructor add a registered user by email (201)', async () => {
    const newbie = await createUser(ctx.app, { name: 'Newbie' });
    const c = await createCourse(ctx.app, [[teacher, 'INSTRUCTOR']]);
    const res = await add(teacher, { email: newbie.email, role: 'TA' }, c.id);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ userId: newbie.id, email: newbie.email, name: 'Newbie', role: 'TA' });
    expect(Object.keys(res.json()).sort()).toEqual(['email', 'joinedAt', 'name', 'role', 'userId']);
    expect(await roleOf(c.id, newbie.id)).toBe('TA');
  });

  it('answers 404 for an unknown email and 409 for an existing member', async () => {
    const unknown = await add(teacher, { email: 'nobody-here@example.org', role: 'STUDENT' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toContain('user');
    const again = await add(teacher, { email: student.email, role: 'TA' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ALREADY_MEMBER');
    expect(await roleOf(course.id, student.id)).toBe('STUDENT');
  });

  it('is for instructors only: TA and student 403, non-member 404', async () => {
    const target = await createUser(ctx.app);
    expect((await add(ta, { email: target.email, role: 'STUDENT' })).statusCode).toBe(403);
    expect((await add(student, { email: target.email, role: 'STUDENT' })).statusCode).toBe(403);
    expect((await add(outsider, { email: target.email, role: 'STUDENT' })).statusCode).toBe(404);
    expect(await roleOf(course.id, target.id)).toBeNull();
  });

  it('rejects unknown fields and bad values with 400 naming the field', async () => {
    const extra = await add(teacher, { email: outsider.email, role: 'STUDENT', isAdmin: true });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().message).toContain('isAdmin');
    const role = await add(teacher, { email: outsider.email, role: 'OWNER' });
    expect(role.statusCode).toBe(400);
    expect(role.json().details[0].path).toBe('body.role');
    const email = await add(teacher, { email: 'not-an-email', role: 'STUDENT' });
    expect(email.statusCode).toBe(400);
    expect(email.json().details[0].path).toBe('body.email');
    expect(await roleOf(course.id, outsider.id)).toBeNull();
  });
});

describe('PATCH /courses/:courseId/members/:userId', () => {
  it('lets an instructor change a role (200)', async () => {
    const u = await createUser(ctx.app);
    const c = await createCourse(ctx.app, [
      [teacher, 'INSTRUCTOR'],
      [u, 'STUDENT'],
    ]);
    const res = await patch(teacher, c.id, u.id, { role: 'TA' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ userId: u.id, role: 'TA' });
    expect(await roleOf(c.id, u.id)).toBe('TA');
    const same = await patch(teacher, c.id, u.id, { role: 'TA' });
    expect(same.statusCode).toBe(200);
  });

  it('does not demote the last instructor (409), but does once there is another', async () => {
    const c = await createCourse(ctx.app, [
      [teacher, 'INSTRUCTOR'],
      [ta, 'TA'],
    ]);
    const last = await patch(teacher, c.id, teacher.id, { role: 'TA' });
    expect(last.statusCode).toBe(409);
    expect(last.json().code).toBe('LAST_INSTRUCTOR');
    expect(await roleOf(c.id, teacher.id)).toBe('INSTRUCTOR');

    expect((await patch(teacher, c.id, ta.id, { role: 'INSTRUCTOR' })).statusCode).toBe(200);
    const now = await patch(teacher, c.id, teacher.id, { role: 'STUDENT' });
    expect(now.statusCode).toBe(200);
    expect(await roleOf(c.id, teacher.id)).toBe('STUDENT');
  });

  it('leaves one instructor when two demote each other at the same time', async () => {
    const a = await createUser(ctx.app);
    const b = await createUser(ctx.app);
    const c = await createCourse(ctx.app, [
      [a, 'INSTRUCTOR'],
      [b, 'INSTRUCTOR'],
    ]);
    const results = await Promise.all([patch(a, c.id, b.id, { role: 'STUDENT' }), patch(b, c.id, a.id, { role: 'STUDENT' })]);
    // Whichever runs second finds either that it was itself demoted (403) or that it would
    // remove the last instructor (409); never do both go through.
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes[0]).toBe(200);
    expect([403, 409]).toContain(codes[1]);
    expect(await ctx.app.prisma.membership.count({ where: { courseId: c.id, role: 'INSTRUCTOR' } })).toBe(1);
  });

  it('leaves one instructor when both are demoted or removed at the same time by a third party', async () => {
    const admin = await createUser(ctx.app, { admin: true });
    for (let round = 0; round < 3; round++) {
      const a = await createUser(ctx.app);
      const b = await createUser(ctx.app);
      const c = await createCourse(ctx.app, [
        [a, 'INSTRUCTOR'],
        [b, 'INSTRUCTOR'],
      ]);
      const results = await Promise.all([patch(admin, c.id, a.id, { role: 'TA' }), remove(admin, c.id, b.id)]);
      const codes = results.map((r) => r.statusCode);
      expect(codes.filter((s) => s === 409)).toHaveLength(1);
      expect(codes.filter((s) => s === 200 || s === 204)).toHaveLength(1);
      expect(await ctx.app.prisma.membership.count({ where: { courseId: c.id, role: 'INSTRUCTOR' } })).toBe(1);
    }
  });

  it('is for instructors only, and 404s unknown members and courses', async () => {
    expect((await patch(ta, course.id, student.id, { role: 'TA' })).statusCode).toBe(403);
    expect((await patch(student, course.id, student.id, { role: 'INSTRUCTOR' })).statusCode).toBe(403);
    expect((await patch(outsider, course.id, student.id, { role: 'TA' })).statusCode).toBe(404);
    const notMember = await patch(teacher, course.id, outsider.id, { role: 'TA' });
    expect(notMember.statusCode).toBe(404);
    expect(notMember.json().message).toContain('member');
    expect(await roleOf(course.id, student.id)).toBe('STUDENT');
  });

  it('validates params and body (400)', async () => {
    const badId = await patch(teacher, course.id, 'nope', { role: 'TA' });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().details[0].path).toBe('params.userId');
    const extra = await patch(teacher, course.id, student.id, { role: 'TA', courseId: course.id });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().message).toContain('courseId');
    const missing = await patch(teacher, course.id, student.id, {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json().details[0].path).toBe('body.role');
  });
});

describe('DELETE /courses/:courseId/members/:userId', () => {
  it('lets an instructor remove a member (204)', async () => {
    const u = await createUser(ctx.app);
    const c = await createCourse(ctx.app, [
      [teacher, 'INSTRUCTOR'],
      [u, 'STUDENT'],
    ]);
    const res = await remove(teacher, c.id, u.id);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(await roleOf(c.id, u.id)).toBeNull();
    expect((await remove(teacher, c.id, u.id)).statusCode).toBe(404);
  });

  it('lets a student or TA leave, but not remove others (403)', async () => {
    const s1 = await createUser(ctx.app);
    const s2 = await createUser(ctx.app);
    const t = await createUser(ctx.app);
    const c = await createCourse(ctx.app, [
      [teacher, 'INSTRUCTOR'],
      [s1, 'STUDENT'],
      [s2, 'STUDENT'],
      [t, 'TA'],
    ]);
    expect((await remove(s1, c.id, s2.id)).statusCode).toBe(403);
    expect((await remove(t, c.id, s2.id)).statusCode).toBe(403);
    expect(await roleOf(c.id, s2.id)).toBe('STUDENT');
    expect((await remove(s1, c.id, s1.id)).statusCode).toBe(204);
    expect((await remove(t, c.id, t.id)).statusCode).toBe(204);
    expect(await roleOf(c.id, s1.id)).toBeNull();
    expect(await roleOf(c.id, t.id)).toBeNull();
  });

  it('keeps the last instructor (409), whoever asks', async () => {
    const admin = await createUser(ctx.app, { admin: true });
    const c = await createCourse(ctx.app, [
      [teacher, 'INSTRUCTOR'],
      [student, 'STUDENT'],
    ]);
    const self = await remove(teacher, c.id, teacher.id);
    expect(self.statusCode).toBe(409);
    expect(self.json().code).toBe('LAST_INSTRUCTOR');
    expect((await remove(admin, c.id, teacher.id)).statusCode).toBe(409);
    expect(await roleOf(c.id, teacher.id)).toBe('INSTRUCTOR');
  });

  it('hides the course from non-members (404), even for themselves', async () => {
    expect((await remove(outsider, course.id, student.id)).statusCode).toBe(404);
    expect((await remove(outsider, course.id, outsider.id)).statusCode).toBe(404);
    expect(await roleOf(course.id, student.id)).toBe('STUDENT');
  });
});
