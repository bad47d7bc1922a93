/**
 * Every change of a membership writes its roster.changed event in the same transaction, and a
 * change that is refused writes none: course creation, an instructor adding, re-roling and
 * removing, a member leaving, joining by invite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

let ctx: TestContext;
let teacher: TestUser;
let admin: TestUser;
let sam: TestUser;
let joiner: TestUser;
let courseId = '';

beforeAll(async () => {
  ctx = await setupApp({ catalogue: false });
  admin = await createUser(ctx.app, { admin: true });
  teacher = await createUser(ctx.app);
  sam = await createUser(ctx.app);
  joiner = await createUser(ctx.app);
});
afterAll(async () => ctx?.close());

const call = (u: TestUser, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers: u.auth, ...(payload ? { payload } : {}) });
/** The course's events, oldest first. */
const events = async () =>
  (await ctx.app.prisma.outboxEvent.findMany({ where: { courseId }, orderBy: { seq: 'asc' } })).map((e) => ({ type: e.type, ...(e.payload as object) }));

describe('roster.changed events', () => {
  it('come with every membership change, in order, and not with a refused one', async () => {
    const created = await call(admin, 'POST', '/courses', { title: 'Events' });
    expect(created.statusCode).toBe(201);
    courseId = created.json().id;
    // The administrator who created it is its instructor.
    expect(await events()).toEqual([
      { type: 'roster.changed', change: 'added', userId: admin.id, role: 'INSTRUCTOR', previousRole: null, via: 'course-created' },
    ]);

    expect((await call(admin, 'POST', `/courses/${courseId}/members`, { email: teacher.email, role: 'INSTRUCTOR' })).statusCode).toBe(201);
    expect((await call(teacher, 'POST', `/courses/${courseId}/members`, { email: sam.email, role: 'STUDENT' })).statusCode).toBe(201);
    // Refused: already a member. No event.
    expect((await call(teacher, 'POST', `/courses/${courseId}/members`, { email: sam.email, role: 'TA' })).statusCode).toBe(409);
    expect((await call(teacher, 'PATCH', `/courses/${courseId}/members/${sam.id}`, { role: 'TA' })).statusCode).toBe(200);
    // The same role again: nothing changed, no event.
    expect((await call(teacher, 'PATCH', `/courses/${courseId}/members/${sam.id}`, { role: 'TA' })).statusCode).toBe(200);
    // The admin leaves; then the last instructor may not: refused, no event.
    expect((await call(admin, 'DELETE', `/courses/${courseId}/members/${admin.id}`)).statusCode).toBe(204);
    expect((await call(teacher, 'DELETE', `/courses/${courseId}/members/${teacher.id}`)).statusCode).toBe(409);
    expect((await call(teacher, 'DELETE', `/courses/${courseId}/members/${sam.id}`)).statusCode).toBe(204);

    const invite = await call(teacher, 'POST', `/courses/${courseId}/invites`, { role: 'STUDENT' });
    expect(invite.statusCode).toBe(201);
    expect((await call(joiner, 'POST', '/courses/join', { inviteCode: invite.json().code })).statusCode).toBe(200);
    expect((await call(joiner, 'POST', '/courses/join', { inviteCode: invite.json().code })).statusCode).toBe(409);

    expect((await events()).slice(1)).toEqual([
      { type: 'roster.changed', change: 'added', userId: teacher.id, role: 'INSTRUCTOR', previousRole: null, via: 'staff' },
      { type: 'roster.changed', change: 'added', userId: sam.id, role: 'STUDENT', previousRole: null, via: 'staff' },
      { type: 'roster.changed', change: 'role-changed', userId: sam.id, role: 'TA', previousRole: 'STUDENT', via: 'staff' },
      { type: 'roster.changed', change: 'removed', userId: admin.id, role: null, previousRole: 'INSTRUCTOR', via: 'self' },
      { type: 'roster.changed', change: 'removed', userId: sam.id, role: null, previousRole: 'TA', via: 'staff' },
      { type: 'roster.changed', change: 'added', userId: joiner.id, role: 'STUDENT', previousRole: null, via: 'invite' },
    ]);
    // Each event's change is there: the roster is what the events say.
    expect((await ctx.app.prisma.membership.findMany({ where: { courseId }, orderBy: { role: 'asc' } })).map((m) => [m.userId, m.role])).toEqual([
      [joiner.id, 'STUDENT'],
      [teacher.id, 'INSTRUCTOR'],
    ]);
  });
});
