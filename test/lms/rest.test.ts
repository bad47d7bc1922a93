/**
 * What an LMS does over REST with a course's API key: keys (shown once, stored hashed, last
 * use, revocation, expiry), roster sync (created / updated / deactivated / reactivated counts,
 * rejected rows with reasons, idempotent, instructors kept), grades for polling (cursor pages,
 * updatedSince after an override, Canvas's CSV with the LMS ids) and per-student overrides.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJson } from '../../src/db/json.js';
import { correctSubmission } from '../../src/authoring/submissions.js';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

let ctx: TestContext;
let teacher: TestUser;
let ta: TestUser;
let course: { id: string };

beforeAll(async () => {
  ctx = await setupApp();
  teacher = await createUser(ctx.app);
  ta = await createUser(ctx.app);
  course = await createCourse(ctx.app, [
    [teacher, 'INSTRUCTOR'],
    [ta, 'TA'],
  ]);
});
afterAll(async () => ctx?.close());

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const asUser = (u: TestUser, method: Method, url: string, payload?: object) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers: u.auth, ...(payload ? { payload } : {}) });
const withKey = (key: string, method: Method, url: string, payload?: object, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${key}`, ...headers }, ...(payload ? { payload } : {}) });

async function makeKey(scopes: string[]): Promise<string> {
  const r = await asUser(teacher, 'POST', `/courses/${course.id}/api-keys`, { name: `key ${scopes.join(' ')}`, scopes });
  expect(r.statusCode, r.body).toBe(201);
  return r.json().key;
}

describe('API keys', () => {
  it('are shown once, stored as a hash, note their last use, and stop at once when revoked', async () => {
    const created = await asUser(teacher, 'POST', `/courses/${course.id}/api-keys`, { name: 'Canvas', scopes: ['grades:read', 'grades:read'] });
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const { key, id, prefix, scopes } = created.json();
    expect(key).toMatch(/^qgk_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(prefix)).toBe(true);
    expect(scopes).toEqual(['grades:read']);
    const row = await ctx.app.prisma.apiKey.findUniqueOrThrow({ where: { id } });
    expect(row.secretHash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(key.slice(prefix.length));
    const listed = (await asUser(teacher, 'GET', `/courses/${course.id}/api-keys`)).json().items;
    expect(listed.find((k: { id: string }) => k.id === id)).toMatchObject({ name: 'Canvas', lastUsedAt: null, revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(key.slice(prefix.length));

    expect((await withKey(key, 'GET', `/courses/${course.id}/grades`)).statusCode).toBe(200);
    expect((await ctx.app.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).toEqual(ctx.clock.now);
    const revoked = await asUser(teacher, 'DELETE', `/courses/${course.id}/api-keys/${id}`);
    expect(revoked.json().revokedAt).not.toBeNull();
    const after = await withKey(key, 'GET', `/courses/${course.id}/grades`);
    expect(after.statusCode).toBe(401);
    expect(after.json().message).toMatch(/revoked/);
  });

  it('are made by instructors only, with an expiry in the future', async () => {
    expect((await asUser(ta, 'POST', `/courses/${course.id}/api-keys`, { name: 'x', scopes: ['grades:read'] })).statusCode).toBe(403);
    expect((await asUser(ta, 'GET', `/courses/${course.id}/api-keys`)).statusCode).toBe(403);
    const outsider = await createUser(ctx.app);
    expect((await asUser(outsider, 'GET', `/courses/${course.id}/api-keys`)).statusCode).toBe(404);
    const past = await asUser(teacher, 'POST', `/courses/${course.id}/api-keys`, { name: 'x', scopes: ['grades:read'], expiresAt: '2001-01-01T00:00:00Z' });
    expect(past.statusCode).toBe(422);
    expect(past.json().code).toBe('EXPIRY_IN_PAST');
    const noScope = await asUser(teacher, 'POST', `/courses/${course.id}/api-keys`, { name: 'x', scopes: [] });
    expect(noScope.statusCode).toBe(400);
  });
});

describe('roster sync', () => {
  const row = (n: number, role = 'student') => ({ lmsId: `canvas-${n}`, email: `Student${n}@Uni.example`, name: `Student ${n}`, role });

  it('creates, is idempotent, reports bad rows, changes roles, deactivates the missing and reactivates them', async () => {
    const key = await makeKey(['roster:write']);
    const sync = (full: boolean, members: unknown[]) => withKey(key, 'POST', `/courses/${course.id}/roster/sync`, { full, members });
    // An account that exists already (by email) is linked, not duplicated, and keeps its name.
    const existing = await ctx.app.prisma.user.create({ data: { email: 'student3@uni.example', name: 'Own Name', passwordHash: 'x' } });
    const first = await sync(false, [
      row(1),
      row(2),
      row(3, 'ta'),
      { lmsId: 'canvas-9', email: 'not an email', name: 'Bad', role: 'student' },
      { ...row(1), email: 'other@uni.example' },
      { lmsId: 'canvas-8', email: 'x8@uni.example', name: 'No role' },
      { lmsId: 'canvas-7', email: 'x7@uni.example', name: 'Odd', role: 'dean' },
      'not an object',
    ]);
    expect(first.statusCode, first.body).toBe(200);
    const r1 = first.json();
    expect(r1).toMatchObject({ created: 3, updated: 0, reactivated: 0, unchanged: 0, deactivated: 0 });
    expect(r1.rejected).toEqual([
      { row: 3, lmsId: 'canvas-9', reason: expect.stringContaining('email') },
      { row: 4, lmsId: 'canvas-1', reason: 'lmsId is already in row 0' },
      { row: 5, lmsId: 'canvas-8', reason: expect.stringContaining('role') },
      { row: 6, lmsId: 'canvas-7', reason: expect.stringContaining('role') },
      { row: 7, lmsId: null, reason: expect.any(String) },
    ]);
    const linked = await ctx.app.prisma.user.findUniqueOrThrow({ where: { id: existing.id } });
    expect(linked).toMatchObject({ lmsId: 'canvas-3', name: 'Own Name' });
    expect(await ctx.app.prisma.membership.findUnique({ where: { userId_courseId: { userId: existing.id, courseId: course.id } } })).toMatchObject({
      role: 'TA',
    });

    // The same list again changes nothing.
    const again = (await sync(false, [row(1), row(2), row(3, 'ta')])).json();
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3, deactivated: 0, rejected: [] });

    // A full sync without Student 2, with Student 3 now a student: 2 and the TA made by hand are
    // deactivated, the instructor is kept, 3's role changes.
    const full = (await sync(true, [row(1), row(3)])).json();
    expect(full).toMatchObject({ created: 0, updated: 1, unchanged: 1, deactivated: 2, kept: [{ userId: teacher.id, reason: expect.any(String) }] });
    const two = await ctx.app.prisma.user.findUniqueOrThrow({ where: { lmsId: 'canvas-2' } });
    expect(await ctx.app.prisma.membership.findUnique({ where: { userId_courseId: { userId: two.id, courseId: course.id } } })).toBeNull();
    expect(await ctx.app.prisma.user.findUnique({ where: { id: two.id } })).not.toBeNull();
    // A deactivated TA cannot reach the course any more.
    expect((await asUser(ta, 'GET', `/courses/${course.id}`)).statusCode).toBe(404);
    const roster = (await withKey(key, 'GET', `/courses/${course.id}/roster`)).json().items;
    expect(roster.find((m: { userId: string }) => m.userId === two.id)).toMatchObject({ lmsId: 'canvas-2', active: false, role: 'STUDENT' });
    expect(roster.find((m: { userId: string }) => m.userId === teacher.id)).toMatchObject({ active: true, role: 'INSTRUCTOR' });
    // The full sync again: nothing more.
    expect((await sync(true, [row(1), row(3)])).json()).toMatchObject({ created: 0, updated: 0, unchanged: 2, deactivated: 0 });

    // Student 2 is back.
    expect((await sync(false, [row(2)])).json()).toMatchObject({ created: 0, reactivated: 1 });
    const roster2 = (await withKey(key, 'GET', `/courses/${course.id}/roster`)).json().items;
    expect(roster2.filter((m: { userId: string }) => m.userId === two.id)).toEqual([expect.objectContaining({ active: true })]);

    // Every change came with its roster.changed event, marked as a sync.
    const events = await ctx.app.prisma.outboxEvent.findMany({ where: { courseId: course.id, type: 'roster.changed' } });
    const viaSync = events.map((e) => e.payload as { via: string; change: string }).filter((p) => p.via === 'roster-sync');
    expect(viaSync.map((p) => p.change).sort()).toEqual(['added', 'added', 'added', 'added', 'removed', 'removed', 'role-changed'].sort());
  });

  it('never demotes the last instructor, and refuses an email another LMS id holds', async () => {
    const solo = await createUser(ctx.app);
    const c = await createCourse(ctx.app, [[solo, 'INSTRUCTOR']]);
    await ctx.app.prisma.user.update({ where: { id: solo.id }, data: { lmsId: `solo-${solo.id}` } });
    const r = await asUser(solo, 'POST', `/courses/${c.id}/roster/sync`, {
      full: true,
      members: [
        { lmsId: `solo-${solo.id}`, email: solo.email, name: 'Solo', role: 'student' },
        { lmsId: 'someone-else', email: 'student1@uni.example', name: 'Clash', role: 'student' },
      ],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().rejected).toEqual([
      { row: 0, lmsId: `solo-${solo.id}`, reason: 'a course must keep at least one instructor' },
      { row: 1, lmsId: 'someone-else', reason: 'email belongs to an account linked to another lmsId' },
    ]);
    // The refused row's member is not "missing" either.
    expect(r.json().deactivated).toBe(0);
    expect(await ctx.app.prisma.membership.findUnique({ where: { userId_courseId: { userId: solo.id, courseId: c.id } } })).toMatchObject({
      role: 'INSTRUCTOR',
    });
  });
});

describe('grades and overrides over a key', () => {
  it('pages, polls with updatedSince after an override, exports Canvas CSV, and writes an extra attempt', async () => {
    const key = await makeKey(['grades:read', 'exams:write', 'roster:write']);
    const c = course.id;
    const exam = await ctx.app.prisma.exam.create({
      data: {
        courseId: c,
        title: 'Quiz, "one"',
        status: 'PUBLISHED',
        blueprint: toJson({ sections: [{ count: 1, points: 10, pool: { templates: ['conv-output-size'] } }], policies: { maxAttempts: 1 } }),
      },
    });
    // Three students from the LMS, each finishing with full marks.
    await withKey(key, 'POST', `/courses/${c}/roster/sync`, {
      full: false,
      members: [1, 2, 3].map((n) => ({ lmsId: `g-${n}`, email: `g${n}@uni.example`, name: `G ${n}`, role: 'student' })),
    });
    const users = await ctx.app.prisma.user.findMany({ where: { lmsId: { in: ['g-1', 'g-2', 'g-3'] } }, orderBy: { id: 'asc' } });
    const attempts: string[] = [];
    for (const u of users) {
      const auth = { authorization: `Bearer ${ctx.app.signAccessToken({ sub: u.id, adm: false })}` };
      const a = (await ctx.app.inject({ method: 'POST', url: `/api/v1/exams/${exam.id}/attempts`, headers: auth })).json().id as string;
      const q = await ctx.app.prisma.attemptQuestion.findFirstOrThrow({ where: { attemptId: a }, include: { variants: true } });
      const right = correctSubmission({ secret: { answers: q.variants[0].answers, parts: q.variants[0].parts } } as never);
      await ctx.app.inject({ method: 'POST', url: `/api/v1/attempts/${a}/questions/1/submissions`, headers: auth, payload: { answers: right } });
      expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/attempts/${a}/finish`, headers: auth })).statusCode).toBe(200);
      attempts.push(a);
    }
    const p1 = (await withKey(key, 'GET', `/exams/${exam.id}/grades?limit=2`)).json();
    expect(p1.items.map((g: { lmsId: string }) => g.lmsId)).toEqual(users.slice(0, 2).map((u) => u.lmsId));
    expect(p1.items[0]).toMatchObject({ examId: exam.id, points: 10, maxPoints: 10, percent: 100, attemptsFinished: 1, attemptId: attempts[0] });
    const p2 = (await withKey(key, 'GET', `/exams/${exam.id}/grades?limit=2&cursor=${p1.nextCursor}`)).json();
    expect(p2.items.map((g: { lmsId: string }) => g.lmsId)).toEqual([users[2].lmsId]);
    expect(p2.nextCursor).toBeNull();
    expect(p2.nextUpdatedSince).toBe(p1.nextUpdatedSince);
    const since = p1.nextUpdatedSince;
    expect(new Date(since).getTime()).toBe(ctx.clock.now.getTime() - 60_000);

    // Two minutes on, an instructor lowers student 2's points: only that row is new.
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 120_000);
    const watermark = new Date(ctx.clock.now.getTime() - 30_000).toISOString();
    expect((await withKey(key, 'GET', `/courses/${c}/grades?updatedSince=${watermark}`)).json().items).toEqual([]);
    expect((await asUser(teacher, 'POST', `/attempts/${attempts[1]}/questions/1/override`, { points: 4, reason: 'copied' })).statusCode).toBe(200);
    const changed = (await withKey(key, 'GET', `/courses/${c}/grades?updatedSince=${watermark}`)).json().items;
    expect(changed).toEqual([expect.objectContaining({ userId: users[1].id, lmsId: users[1].lmsId, points: 4, updatedAt: ctx.clock.now.toISOString() })]);

    // Canvas's CSV: SIS User ID is the LMS id, SIS Login ID the email.
    const csv = await withKey(key, 'GET', `/exams/${exam.id}/grades`, undefined, { accept: 'text/csv' });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('Student,ID,SIS User ID,SIS Login ID,Section,"Quiz, ""one"""');
    expect(lines[1]).toBe('Points Possible,,,,,10');
    expect(lines).toContain(`${users[1].name},,${users[1].lmsId},${users[1].email},,4`);

    // An extra attempt for student 1, written with the key: a second attempt starts.
    const put = await withKey(key, 'PUT', `/exams/${exam.id}/overrides/${users[0].id}`, { extraAttempts: 1 });
    expect(put.statusCode, put.body).toBe(200);
    const auth = { authorization: `Bearer ${ctx.app.signAccessToken({ sub: users[0].id, adm: false })}` };
    expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/exams/${exam.id}/attempts`, headers: auth })).statusCode).toBe(201);
    // The key has no exams:read: it cannot list the overrides it wrote.
    expect((await withKey(key, 'GET', `/exams/${exam.id}/overrides`)).statusCode).toBe(403);
  });
});
