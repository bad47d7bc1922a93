/**
 * The gradebook CSV of a large course is streamed, never loaded at once: the memory the
 * service holds (its live heap after a collection) at every chunk of the download of 60,000
 * students' rows stays far below what holding those students takes (measured the same way, as
 * the control). On PostgreSQL only: filling 60,000 users into PGlite takes longer than the
 * rest of the suite.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.js';
import { onPostgres } from '../helpers/db.js';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

const N = 60_000;
let ctx: TestContext;
let instructor: TestUser;
let course: { id: string };
let url = '';

// A full collection on demand: what the heap holds then is live data, not garbage not yet collected.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const live = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

beforeAll(async () => {
  if (!onPostgres) return;
  ctx = await setupApp();
  instructor = await createUser(ctx.app);
  course = await createCourse(ctx.app, [[instructor, 'INSTRUCTOR']]);
  await ctx.app.sql.query(Prisma.sql`INSERT INTO "User" (id, email, name, "passwordHash", "isAdmin", "createdAt")
    SELECT gen_random_uuid(), 'memory' || g || '@example.org', 'Student number ' || g, 'x', false, now() FROM generate_series(1, ${N}::int) g`);
  await ctx.app.sql.query(Prisma.sql`INSERT INTO "Membership" ("userId", "courseId", role, "createdAt")
    SELECT id, ${course.id}::uuid, 'STUDENT', now() FROM "User" WHERE email LIKE 'memory%'`);
  await ctx.app.prisma.exam.create({
    data: {
      courseId: course.id,
      title: 'Quiz',
      status: 'PUBLISHED',
      blueprint: { sections: [{ count: 1, points: 10, pool: { templates: ['conv-output-size'] } }] },
    },
  });
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = ctx.app.server.address();
  url = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : '';
}, 120_000);
afterAll(async () => ctx?.close());

describe.runIf(onPostgres)('the gradebook CSV of a large course', () => {
  it('is streamed: the live heap during the download stays far below what the students take in memory', async () => {
    // A first download, unmeasured: the HTTP client's and the route's one-time allocations.
    await (await fetch(`${url}/api/v1/courses/${course.id}/gradebook?limit=1`, { headers: instructor.auth })).text();
    let bytes = 0;
    let lines = 0;
    const base = live();
    let streamed = 0;
    const res = await fetch(`${url}/api/v1/courses/${course.id}/gradebook`, { headers: { ...instructor.auth, accept: 'text/csv' } });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    for (let chunk = 0; ; chunk++) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      for (const b of value) if (b === 10) lines++;
      // The server's pages are in flight between these reads: sample what is held every few chunks.
      if (chunk % 4 === 0) streamed = Math.max(streamed, live() - base);
    }
    // Header, Points Possible, every student.
    expect(lines).toBe(N + 2);
    // The control: the same students read at once, as a non-streaming export would hold them.
    const before = live();
    const held = await ctx.app.prisma.membership.findMany({
      where: { courseId: course.id, role: 'STUDENT' },
      select: { user: { select: { id: true, email: true, name: true } } },
    });
    const atOnce = live() - before;
    expect(held).toHaveLength(N);
    console.log(
      `gradebook CSV of ${N} students: ${(bytes / 1e6).toFixed(1)} MB streamed; live heap during the download at most ${(streamed / 1e6).toFixed(1)} MB above the start, ` +
        `${(atOnce / 1e6).toFixed(1)} MB to hold the students at once`,
    );
    expect(streamed).toBeLessThan(atOnce / 3);
  }, 120_000);
});
