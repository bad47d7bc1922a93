/**
 * What a black-box probe of the running service found, one test per finding (each failed
 * before its fix). The route-walking leak test (leak-walk.test.ts) covers the class of bug.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { toJson } from '../../src/db/json.js';
import { ERROR_CODE_LIST } from '../../src/error-codes.js';
import { onPostgres } from '../helpers/db.js';
import { perturbedSubmission } from '../../src/authoring/submissions.js';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

let ctx: TestContext;
let teacher: TestUser;
let course: { id: string; code: string };
const T0 = new Date('2026-05-04T09:00:00Z');

beforeAll(async () => {
  ctx = await setupApp();
  ctx.clock.now = T0;
  teacher = await createUser(ctx.app);
  course = await createCourse(ctx.app, [[teacher, 'INSTRUCTOR']]);
});
afterAll(async () => ctx?.close());

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const call = (u: TestUser | undefined, method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { ...(u?.auth ?? {}), ...headers },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

async function student(): Promise<TestUser> {
  const u = await createUser(ctx.app);
  await ctx.app.prisma.membership.create({ data: { userId: u.id, courseId: course.id, role: 'STUDENT' } });
  return u;
}

async function exam(policies: Record<string, unknown>, templates = ['softmax-probabilities-loss', 'xavier-init-scale']) {
  return ctx.app.prisma.exam.create({
    data: {
      courseId: course.id,
      title: 'Midterm',
      status: 'PUBLISHED',
      blueprint: toJson({ sections: [{ count: templates.length, points: 10, pool: { templates } }], policies }),
    },
  });
}

/** An attempt's current variants (test oracle: read from the database). */
async function examVariants(attemptId: string) {
  return ctx.app.prisma.variant.findMany({
    where: { attemptQuestion: { attemptId } },
    orderBy: [{ attemptQuestion: { position: 'asc' } }, { createdAt: 'desc' }],
  });
}
/** Readable wrong answers for a stored variant (the self-test's perturbed submission). */
const wrongFor = (v: { answers: unknown; parts: unknown }) => perturbedSubmission({ secret: { answers: v.answers, parts: v.parts } } as never);

describe('1. exam answers do not leak through the practice routes', () => {
  it('history lists practice variants only; GET and POST /variants/:id do not reach exam variants', async () => {
    const u = await student();
    const e = await exam({ release: 'never', triesPerQuestion: 3, gradeDuringAttempt: true });
    const a = (await call(u, 'POST', `/exams/${e.id}/attempts`)).json();
    const [v] = await examVariants(a.id);
    const practice = (await call(u, 'POST', `/courses/${course.id}/practice`, { templateId: 'conv-output-size' })).json();

    const history = (await call(u, 'GET', `/courses/${course.id}/practice/history`)).json();
    expect(history.items.map((i: { variantId: string }) => i.variantId)).toEqual([practice.id]);
    expect(history.total).toBe(1);

    // Before any exam try: the practice submit route does not know the exam variant; nothing stored.
    const sub = await call(u, 'POST', `/variants/${v.id}/submissions`, { answers: wrongFor(v) });
    expect(sub.statusCode).toBe(404);
    expect(sub.body).not.toContain('correctAnswers');
    // After a graded exam try (release: never), the variant route still does not show it.
    expect((await call(u, 'POST', `/attempts/${a.id}/questions/1/submissions`, { answers: wrongFor(v) })).statusCode).toBe(201);
    const read = await call(u, 'GET', `/variants/${v.id}`);
    expect(read.statusCode).toBe(404);
    expect(read.body).not.toContain(JSON.stringify(v.solution).slice(1, 40));
    // Staff use the attempt routes for exam variants, not the practice ones.
    expect((await call(teacher, 'GET', `/variants/${v.id}`)).statusCode).toBe(404);
    expect(await ctx.app.prisma.submission.count({ where: { variantId: v.id } })).toBe(1);
  });

  it('the same holds when the exam grades only at finish', async () => {
    const u = await student();
    const e = await exam({ gradeDuringAttempt: false, release: 'after-close', closesAt: new Date(T0.getTime() + 3_600_000).toISOString() });
    const a = (await call(u, 'POST', `/exams/${e.id}/attempts`)).json();
    const [v] = await examVariants(a.id);
    expect((await call(u, 'POST', `/variants/${v.id}/submissions`, { answers: wrongFor(v) })).statusCode).toBe(404);
    expect(await ctx.app.prisma.submission.count({ where: { variantId: v.id } })).toBe(0);
  });
});

describe('2. a practice submission can never land on an exam variant', () => {
  it('the database refuses it (composite foreign key on the variant context); the attempt keeps working', async () => {
    const u = await student();
    const e = await exam({ triesPerQuestion: 2 });
    const a = (await call(u, 'POST', `/exams/${e.id}/attempts`)).json();
    const [v] = await examVariants(a.id);
    // Whatever the code above does: a row that calls itself practice cannot name an exam variant.
    await expect(
      ctx.app.sql.query(
        (await import('../../src/generated/prisma/client.js')).Prisma.sql`
        INSERT INTO "Submission" (id, "variantId", context, "userId", "tryNumber", answers, results, score, points, "maxPoints", "requestHash")
        VALUES (gen_random_uuid(), ${v.id}::uuid, 'PRACTICE', ${u.id}::uuid, 1, '{}', '[]', 0, 0, 1, 'x')`,
      ),
    ).rejects.toMatchObject({ code: '23503' });
    // And an exam-context row without its attempt question breaks the CHECK.
    await expect(
      ctx.app.sql.query(
        (await import('../../src/generated/prisma/client.js')).Prisma.sql`
        INSERT INTO "Submission" (id, "variantId", context, "userId", "tryNumber", answers, results, score, points, "maxPoints", "requestHash")
        VALUES (gen_random_uuid(), ${v.id}::uuid, 'EXAM', ${u.id}::uuid, 1, '{}', '[]', 0, 0, 1, 'x')`,
      ),
    ).rejects.toMatchObject({ code: '23514' });
    expect((await call(u, 'POST', `/variants/${v.id}/submissions`, { answers: wrongFor(v) })).statusCode).toBe(404);
    const t = await call(u, 'POST', `/attempts/${a.id}/questions/1/submissions`, { answers: wrongFor(v) });
    expect(t.statusCode).toBe(201);
    expect((await call(u, 'POST', `/attempts/${a.id}/finish`)).statusCode).toBe(200);
    expect((await call(teacher, 'GET', `/exams/${e.id}/scores`)).statusCode).toBe(200);
  });
});

describe('3. access tokens live ACCESS_TOKEN_TTL_SECONDS', () => {
  it('a real login token: exp − iat = expiresIn = 900', async () => {
    const reg = await call(undefined, 'POST', '/auth/register', { email: 'ttl@example.org', password: 'long enough pw', name: 'T' });
    const { accessToken, expiresIn } = reg.json();
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString());
    expect(expiresIn).toBe(900);
    expect(claims.exp - claims.iat).toBe(900);
  });
});

describe('4. the global rate limit counts made-up tokens against their address', () => {
  it('a fresh junk bearer per request still gets 429 after RATE_LIMIT_MAX', async () => {
    const small = await setupApp({ env: { RATE_LIMIT_MAX: '5' }, catalogue: false });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 8; i++) {
        const r = await small.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer junk${i}.${Math.random()}` } });
        codes.push(r.statusCode);
      }
      expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(codes.slice(5)).toEqual([429, 429, 429]);
      // A verified user has a budget of their own, not the address's.
      const u = await createUser(small.app);
      expect((await small.app.inject({ method: 'GET', url: '/api/v1/me', headers: u.auth })).statusCode).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe('5. NUL bytes and lone surrogates are a 400 naming the field, in every string', () => {
  it('answers (values and keys), names, titles, topics, tags, invite codes, path and query parameters', async () => {
    const u = await student();
    const practice = (await call(u, 'POST', `/courses/${course.id}/practice`, { templateId: 'conv-output-size' })).json();
    const cases: [Method, string, unknown, string][] = [
      ['POST', `/variants/${practice.id}/submissions`, { answers: { out: '1\u0000' } }, 'body.answers.out'],
      ['POST', `/variants/${practice.id}/submissions`, { answers: { ['o\udc00']: '1' } }, 'body.answers (a key)'],
      ['POST', '/auth/register', { email: 'nul@example.org', password: 'long enough pw', name: 'A\u0000B' }, 'body.name'],
      ['POST', '/courses', { title: 'x\ud800' }, 'body.title'],
      ['POST', `/courses/${course.id}/practice`, { topic: 'cnn\u0000' }, 'body.topic'],
      ['POST', '/courses/join', { inviteCode: 'ABC\udc00x' }, 'body.inviteCode'],
      ['GET', `/courses/${course.id}/templates?tag=a%00b`, undefined, 'querystring.tag'],
      ['DELETE', `/courses/${course.id}/invites/AB%00CD`, undefined, 'params.code'],
    ];
    for (const [method, url, body, path] of cases) {
      const r = await call(
        method === 'POST' && url.startsWith('/courses') && url !== '/courses/join' && !url.includes('practice') ? teacher : u,
        method,
        url,
        body,
      );
      expect(r.statusCode, `${method} ${url}`).toBe(400);
      expect(r.json(), `${method} ${url}`).toMatchObject({ code: 'INVALID_TEXT', details: [{ path }] });
    }
    expect(await ctx.app.prisma.submission.count({ where: { variantId: practice.id } })).toBe(0);
    expect(await ctx.app.prisma.user.count({ where: { email: 'nul@example.org' } })).toBe(0);
  });
});

describe('6. a request whose body never finishes is answered 408 and closed', () => {
  it('on a listening server with REQUEST_TIMEOUT_SECONDS=1', async () => {
    const t = await setupApp({ env: { REQUEST_TIMEOUT_SECONDS: '1' }, catalogue: false });
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as { port: number };
      const started = Date.now();
      const reply = await new Promise<string>((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => {
          s.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":');
        });
        let got = '';
        s.on('data', (d) => (got += d.toString()));
        s.on('close', () => resolve(got));
        s.on('error', reject);
        setTimeout(() => reject(new Error(`still open after 8 s: ${got}`)), 8_000).unref();
      });
      expect(reply).toMatch(/^HTTP\/1\.1 408/);
      expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4))).toMatchObject({ statusCode: 408, code: 'REQUEST_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await t.close();
    }
  });

  it('a Node-level 400 (bad header character) has the error shape with a code', async () => {
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = ctx.app.server.address() as { port: number };
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => s.write('GET /health/live HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n'));
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4))).toMatchObject({ statusCode: 400, code: 'BAD_REQUEST' });
  });
});

describe('7. removed students, upper-case ids, token subjects', () => {
  it('a student removed from the course can no longer save, try, finish or read an open attempt', async () => {
    const u = await student();
    const e = await exam({ triesPerQuestion: 3 });
    const a = (await call(u, 'POST', `/exams/${e.id}/attempts`)).json();
    const [v] = await examVariants(a.id);
    await ctx.app.prisma.membership.delete({ where: { userId_courseId: { userId: u.id, courseId: course.id } } });
    expect((await call(u, 'PUT', `/attempts/${a.id}/questions/1/answers`, { answers: wrongFor(v) })).statusCode).toBe(404);
    expect((await call(u, 'POST', `/attempts/${a.id}/questions/1/submissions`, { answers: wrongFor(v) })).statusCode).toBe(404);
    expect((await call(u, 'POST', `/attempts/${a.id}/finish`)).statusCode).toBe(404);
    expect((await call(u, 'GET', `/attempts/${a.id}`)).statusCode).toBe(404);
    const q = await ctx.app.prisma.attemptQuestion.findFirstOrThrow({ where: { attemptId: a.id, position: 1 } });
    expect([q.savedAnswers, q.triesUsed]).toEqual([null, 0]);
    expect((await ctx.app.prisma.attempt.findUniqueOrThrow({ where: { id: a.id } })).status).toBe('OPEN');
    // The instructor still sees it.
    expect((await call(teacher, 'GET', `/attempts/${a.id}`)).statusCode).toBe(200);
  });

  it('upper-case UUIDs are the same ids: leaving with my own id, replaying with the Idempotency-Key', async () => {
    const u = await student();
    const p = (await call(u, 'POST', `/courses/${course.id.toUpperCase()}/practice`, { templateId: 'conv-output-size' })).json();
    const v = await ctx.app.prisma.variant.findUniqueOrThrow({ where: { id: p.id } });
    const body = { answers: wrongFor(v) };
    const first = await call(u, 'POST', `/variants/${p.id}/submissions`, body, { 'idempotency-key': 'k-upper' });
    expect(first.statusCode).toBe(201);
    const again = await call(u, 'POST', `/variants/${p.id.toUpperCase()}/submissions`, body, { 'idempotency-key': 'k-upper' });
    expect(again.statusCode).toBe(200);
    expect(again.json().submissionId).toBe(first.json().submissionId);
    expect((await call(u, 'DELETE', `/courses/${course.id}/members/${u.id.toUpperCase()}`)).statusCode).toBe(204);
  });

  it('a token whose sub is not a user id is a 401, not a 500', async () => {
    const token = ctx.app.jwt.sign({ sub: 'not-a-uuid', adm: false });
    const r = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect(r.statusCode).toBe(401);
    expect(r.json().code).toBe('UNAUTHORIZED');
  });
});

describe('8. the contract: the OpenAPI document says what the API does', () => {
  type Doc = {
    paths: Record<string, Record<string, { responses: Record<string, { content?: unknown }>; requestBody?: { content: Record<string, { schema: unknown }> } }>>;
  };
  const doc = async (): Promise<Doc> => (await ctx.app.inject({ method: 'GET', url: '/docs/json' })).json();

  it('204s have no body; 408/413/429/500/503 are documented on every route; the error code is the catalogue enum', async () => {
    const d = await doc();
    for (const [path, ops] of Object.entries(d.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (op.responses['204']) expect(op.responses['204'].content, `${method} ${path}`).toBeUndefined();
        if (!path.startsWith('/api/')) continue;
        for (const status of ['400', '401', '404', '408', '413', '429', '500', '503'])
          expect(op.responses[status], `${method} ${path} ${status}`).toBeDefined();
      }
    }
    const text = JSON.stringify(d);
    expect(text).toContain(JSON.stringify(ERROR_CODE_LIST));
  });

  it('the answer-key pattern and the part cap are in the document', async () => {
    const body = (await doc()).paths['/api/v1/variants/{variantId}/submissions'].post.requestBody!.content['application/json'].schema;
    const text = JSON.stringify(body);
    expect(text).toContain('^[A-Za-z_][A-Za-z0-9_]{0,39}$');
    expect(text).toContain('"maxProperties":20');
  });

  it('integer query and path parameters are plain decimal digits', async () => {
    const u = await student();
    for (const q of ['0x10', '1e3', '%201', '+5', '1.0', '']) {
      const r = await call(u, 'GET', `/courses/${course.id}/templates?page=${q}`);
      expect(r.statusCode, q).toBe(400);
      expect(r.json().details[0].path).toBe('querystring.page');
    }
    expect((await call(u, 'GET', `/courses/${course.id}/templates?page=2&pageSize=5`)).json()).toMatchObject({ page: 2, pageSize: 5 });
  });

  it('every error code the API returns is in the catalogue', async () => {
    const r = await call(undefined, 'GET', '/api/v1/nope');
    expect(ERROR_CODE_LIST).toContain(r.json().code);
  });
});

describe('also found when tried as a new user would', () => {
  it('answers keyed by a part the question does not have: 422 naming it, nothing stored (practice and exam)', async () => {
    const u = await student();
    const p = (await call(u, 'POST', `/courses/${course.id}/practice`, { templateId: 'conv-output-size' })).json();
    const v = await ctx.app.prisma.variant.findUniqueOrThrow({ where: { id: p.id } });
    const bad = await call(u, 'POST', `/variants/${p.id}/submissions`, { answers: { ...wrongFor(v), typo: '1' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'UNKNOWN_PARTS', details: { unknown: ['typo'] } });
    expect((await call(u, 'POST', `/variants/${p.id}/submissions`, { answers: wrongFor(v) })).statusCode).toBe(201);

    const e = await exam({ triesPerQuestion: 2 });
    const a = (await call(u, 'POST', `/exams/${e.id}/attempts`)).json();
    const [ev] = await examVariants(a.id);
    const good = wrongFor(ev);
    expect((await call(u, 'PUT', `/attempts/${a.id}/questions/1/answers`, { answers: good })).statusCode).toBe(200);
    const overwrite = await call(u, 'PUT', `/attempts/${a.id}/questions/1/answers`, { answers: { nope: '1' } });
    expect(overwrite.json()).toMatchObject({ statusCode: 422, code: 'UNKNOWN_PARTS' });
    expect((await ctx.app.prisma.attemptQuestion.findFirstOrThrow({ where: { attemptId: a.id, position: 1 } })).savedAnswers).toEqual(good);
    expect((await call(u, 'POST', `/attempts/${a.id}/questions/1/submissions`, { answers: { nope: '1' } })).json().code).toBe('UNKNOWN_PARTS');
  });

  it('autosave is refused on a question that is solved or out of tries', async () => {
    const u = await student();
    const e = await exam({ triesPerQuestion: 1 });
    const a = (await call(u, 'POST', `/exams/${e.id}/attempts`)).json();
    const [v] = await examVariants(a.id);
    expect((await call(u, 'POST', `/attempts/${a.id}/questions/1/submissions`, { answers: wrongFor(v) })).statusCode).toBe(201);
    const r = await call(u, 'PUT', `/attempts/${a.id}/questions/1/answers`, { answers: wrongFor(v) });
    expect(r.json()).toMatchObject({ statusCode: 409, code: 'QUESTION_ENDED' });
    expect((await call(u, 'GET', `/attempts/${a.id}`)).json().questions[0].triesLeft).toBe(0);
  });

  it('join takes inviteCode (as register does); code stays as a deprecated alias', async () => {
    const inv = async () => (await call(teacher, 'POST', `/courses/${course.id}/invites`, {})).json().code as string;
    const a = await createUser(ctx.app);
    const b = await createUser(ctx.app);
    expect((await call(a, 'POST', '/courses/join', { inviteCode: await inv() })).statusCode).toBe(200);
    expect((await call(b, 'POST', '/courses/join', { code: await inv() })).statusCode).toBe(200);
  });

  it('regrade with no body is a dry run of everything', async () => {
    const e = await exam({});
    const r = await ctx.app.inject({ method: 'POST', url: `/api/v1/exams/${e.id}/regrade`, headers: teacher.auth });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().dryRun).toBe(true);
  });

  it('a pool topic that does not exist is refused at create, naming the topic', async () => {
    const r = await call(teacher, 'POST', `/courses/${course.id}/exams`, {
      title: 'X',
      blueprint: { sections: [{ count: 1, points: 1, pool: { topic: 'no-such-topic' } }] },
    });
    expect(r.statusCode).toBe(422);
    expect(r.json()).toMatchObject({ code: 'POOL_INVALID', details: [{ section: 0, unknownTopic: 'no-such-topic' }] });
    expect(r.json().message).toContain('no-such-topic');
  });

  it('students list their own attempts, and do not see the exam pool', async () => {
    const u = await student();
    const e = await exam({ maxAttempts: 2 });
    const a = (await call(u, 'POST', `/exams/${e.id}/attempts`)).json();
    const mine = (await call(u, 'GET', `/exams/${e.id}/my-attempts`)).json();
    expect(mine.items.map((i: { id: string }) => i.id)).toEqual([a.id]);
    const seen = (await call(u, 'GET', `/exams/${e.id}`)).json();
    expect(seen.blueprint.sections[0]).toEqual({ count: 2, points: 10 });
    expect(JSON.stringify((await call(u, 'GET', `/courses/${course.id}/exams`)).json())).not.toContain('xavier-init-scale');
    expect((await call(teacher, 'GET', `/exams/${e.id}`)).json().blueprint.sections[0].pool.templates).toContain('xavier-init-scale');
  });
});

describe('practice lock during exams', () => {
  it("closes practice of the exam's templates for its students while it is open", async () => {
    const u = await student();
    const ta = await createUser(ctx.app);
    await ctx.app.prisma.membership.create({ data: { userId: ta.id, courseId: course.id, role: 'TA' } });
    const closesAt = new Date(T0.getTime() + 3_600_000);
    const e = await exam({ practiceLock: 'templates', opensAt: new Date(T0.getTime() - 60_000).toISOString(), closesAt: closesAt.toISOString() }, [
      'he-init-scale',
    ]);
    ctx.app.practiceLocks.invalidate(course.id);
    const before = (await call(u, 'POST', `/courses/${course.id}/practice`, { templateId: 'conv-parameter-count' })).json();
    const locked = await call(u, 'POST', `/courses/${course.id}/practice`, { templateId: 'he-init-scale' });
    expect(locked.json()).toMatchObject({ statusCode: 409, code: 'PRACTICE_LOCKED' });
    expect((await call(ta, 'POST', `/courses/${course.id}/practice`, { templateId: 'he-init-scale' })).statusCode).toBe(201);
    expect(before.templateId).toBe('conv-parameter-count');
    const topicLock = await exam({ practiceLock: 'topics', closesAt: closesAt.toISOString() }, ['momentum-step']);
    ctx.app.practiceLocks.invalidate(course.id);
    expect((await call(u, 'POST', `/courses/${course.id}/practice`, { templateId: 'sgd-step' })).json().code).toBe('PRACTICE_LOCKED');
    // Once the exams close, practice opens again.
    ctx.clock.now = new Date(closesAt.getTime() + 1);
    try {
      expect((await call(u, 'POST', `/courses/${course.id}/practice`, { templateId: 'he-init-scale' })).statusCode).toBe(201);
    } finally {
      ctx.clock.now = T0;
      await ctx.app.prisma.exam.deleteMany({ where: { id: { in: [e.id, topicLock.id] } } });
      ctx.app.practiceLocks.invalidate(course.id);
    }
  });
});

describe.runIf(onPostgres)('on PostgreSQL', () => {
  it('the migration back-fills contexts of existing rows', async () => {
    const c = new pg.Client({ connectionString: ctx.tdb.url });
    await c.connect();
    try {
      const r = await c.query(`SELECT count(*)::int AS n FROM "Variant" WHERE (context = 'EXAM') <> ("attemptQuestionId" IS NOT NULL)`);
      expect(r.rows[0].n).toBe(0);
    } finally {
      await c.end();
    }
  });
});
