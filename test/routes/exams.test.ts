import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';
import { authorizeExam, userPrincipal } from '../../src/authz/index.js';
import { checkBlueprint, resolvePool } from '../../src/exams/pools.js';
import { blueprintSchema } from '../../src/exams/blueprint.js';

/** A pool resolved in the test course's view of the catalogue. */
const pool = async (p: Parameters<typeof resolvePool>[1]) => resolvePool(await ctx.app.catalogue.of(course.id), p);
let ctx: TestContext;
let teacher: TestUser;
let ta: TestUser;
let student: TestUser;
let outsider: TestUser;
let admin: TestUser;
let course: { id: string };

beforeAll(async () => {
  ctx = await setupApp();
  teacher = await createUser(ctx.app, { name: 'Teacher' });
  ta = await createUser(ctx.app, { name: 'Assistant' });
  student = await createUser(ctx.app, { name: 'Student' });
  outsider = await createUser(ctx.app);
  admin = await createUser(ctx.app, { admin: true });
  course = await createCourse(ctx.app, [
    [teacher, 'INSTRUCTOR'],
    [ta, 'TA'],
    [student, 'STUDENT'],
  ]);
  // The outsider teaches a course of their own, so being an instructor somewhere is not enough.
  await createCourse(ctx.app, [[outsider, 'INSTRUCTOR']]);
});
afterAll(async () => ctx?.close());

const MISSING = '00000000-0000-4000-8000-000000000000';

/** A satisfiable blueprint: 2 CNN problems and 1 softmax problem. */
const simple = () => ({
  sections: [
    { title: 'Convolutions', count: 2, points: 5, pool: { topic: 'cnn' } },
    { count: 1, points: 10, pool: { templates: ['softmax-notes-example', 'softmax-probabilities-loss'] } },
  ],
  policies: { timeLimitMinutes: 60, maxAttempts: 2 },
});

/** An exam view as it arrives in JSON. */
interface ExamJson {
  id: string;
  courseId: string;
  title: string;
  status: string;
  blueprint: { sections: unknown[]; policies: Record<string, unknown> };
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  copiedFromId: string | null;
}

function req(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, user: TestUser, payload?: unknown) {
  return ctx.app.inject({ method, url: `/api/v1${url}`, headers: user.auth, ...(payload !== undefined ? { payload: payload as object } : {}) });
}
const create = (user: TestUser, payload: unknown, courseId = course.id) => req('POST', `/courses/${courseId}/exams`, user, payload);
const get = (user: TestUser, id: string) => req('GET', `/exams/${id}`, user);
const patch = (user: TestUser, id: string, payload: unknown) => req('PATCH', `/exams/${id}`, user, payload);
const act = (user: TestUser, id: string, what: 'publish' | 'archive' | 'copy') => req('POST', `/exams/${id}/${what}`, user);

async function newExam(payload: { title: string; blueprint: unknown } = { title: 'Midterm', blueprint: simple() }): Promise<ExamJson> {
  const res = await create(teacher, payload);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}
async function published(payload?: { title: string; blueprint: unknown }): Promise<ExamJson> {
  const e = await newExam(payload);
  const res = await act(teacher, e.id, 'publish');
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('POST /courses/:courseId/exams', () => {
  it('creates a draft with exactly the documented fields and the blueprint normalised', async () => {
    const res = await create(teacher, {
      title: '  Midterm  ',
      blueprint: { ...simple(), policies: { opensAt: '2031-01-01T09:00:00+01:00', closesAt: '2031-01-02T09:00:00Z' } },
    });
    expect(res.statusCode).toBe(201);
    const e = res.json();
    expect(Object.keys(e).sort()).toEqual(['blueprint', 'copiedFromId', 'courseId', 'createdAt', 'id', 'publishedAt', 'status', 'title', 'updatedAt']);
    expect(e).toMatchObject({ courseId: course.id, title: 'Midterm', status: 'DRAFT', publishedAt: null, copiedFromId: null });
    expect(e.blueprint.sections).toEqual(simple().sections);
    expect(e.blueprint.policies).toEqual({
      practiceLock: 'off',
      opensAt: '2031-01-01T08:00:00.000Z',
      closesAt: '2031-01-02T09:00:00.000Z',
      maxAttempts: 1,
      triesPerQuestion: 1,
      newVariantOnRetry: false,
      gradeDuringAttempt: true,
      release: 'after-attempt',
      shuffle: false,
      scorePolicy: 'best',
    });
    // What is stored reads back as the same blueprint.
    const row = await ctx.app.prisma.exam.findUniqueOrThrow({ where: { id: e.id } });
    expect(JSON.parse(JSON.stringify(blueprintSchema.parse(row.blueprint)))).toEqual(e.blueprint);
  });

  it('is for instructors (and administrators) only', async () => {
    for (const [user, status] of [
      [ta, 403],
      [student, 403],
      [outsider, 404],
    ] as const) {
      const res = await create(user, { title: 'x', blueprint: simple() });
      expect(res.statusCode, res.body).toBe(status);
    }
    expect((await create(teacher, { title: 'x', blueprint: simple() }, MISSING)).statusCode).toBe(404);
    const byAdmin = await create(admin, { title: 'By admin', blueprint: simple() });
    expect(byAdmin.statusCode).toBe(201);
  });

  it('names the invalid field', async () => {
    const cases: [unknown, string][] = [
      [{ title: 'x', blueprint: { sections: [{ count: 0, points: 1, pool: { topic: 'cnn' } }] } }, 'body.blueprint.sections.0.count'],
      [{ title: 'x', blueprint: { sections: [simple().sections[0], { count: 1, points: -1, pool: { topic: 'cnn' } }] } }, 'body.blueprint.sections.1.points'],
      [{ title: 'x', blueprint: { sections: [{ count: 1, points: 1, pool: {} }] } }, 'body.blueprint.sections.0.pool'],
      [
        { title: 'x', blueprint: { sections: [{ count: 1, points: 1, pool: { templates: ['conv-output-size'], topic: 'cnn' } }] } },
        'body.blueprint.sections.0.pool',
      ],
      [{ title: 'x', blueprint: { sections: [{ count: 1, points: 1, pool: { templates: ['Not An Id'] } }] } }, 'body.blueprint.sections.0.pool.templates.0'],
      [{ title: 'x', blueprint: { sections: [] } }, 'body.blueprint.sections'],
      [{ title: 'x', blueprint: { ...simple(), policies: { triesSchedule: [5, 7] } } }, 'body.blueprint.policies.triesSchedule'],
      [
        { title: 'x', blueprint: { ...simple(), policies: { opensAt: '2031-02-01T00:00:00Z', closesAt: '2031-01-01T00:00:00Z' } } },
        'body.blueprint.policies.closesAt',
      ],
      [{ title: 'x', blueprint: { ...simple(), policies: { closesAt: null } } }, 'body.blueprint.policies.closesAt'],
      [{ title: 'x', blueprint: { ...simple(), policies: { opensAt: '2031-02-01' } } }, 'body.blueprint.policies.opensAt'],
      [{ title: 'x', blueprint: { ...simple(), extra: 1 } }, 'body.blueprint'],
      [{ title: '', blueprint: simple() }, 'body.title'],
      [{ blueprint: simple() }, 'body.title'],
      [{ title: 'x', blueprint: simple(), status: 'PUBLISHED' }, 'body'],
    ];
    for (const [payload, path] of cases) {
      const res = await create(teacher, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().code).toBe('VALIDATION_ERROR');
      expect(
        res.json().details.map((d: { path: string }) => d.path),
        JSON.stringify(payload),
      ).toContain(path);
    }
    const badParam = await create(teacher, { title: 'x', blueprint: simple() }, 'not-a-uuid');
    expect(badParam.statusCode).toBe(400);
    expect(badParam.json().details[0].path).toBe('params.courseId');
    expect(await ctx.app.prisma.exam.count({ where: { title: 'x' } })).toBe(0);
  });

  it('refuses unknown template ids (422 POOL_INVALID naming them and their section)', async () => {
    const res = await create(teacher, {
      title: 'x',
      blueprint: {
        sections: [
          { count: 1, points: 1, pool: { topic: 'cnn' } },
          { count: 1, points: 1, pool: { templates: ['conv-output-size', 'no-such-template'] } },
          { count: 1, points: 1, pool: { groups: [['softmax-notes-example'], ['also-missing']] } },
        ],
      },
    });
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.code).toBe('POOL_INVALID');
    expect(body.message).toContain('no-such-template');
    expect(body.message).toContain('also-missing');
    expect(body.details).toEqual([
      { section: 1, unknown: ['no-such-template'] },
      { section: 2, unknown: ['also-missing'] },
    ]);
    expect(await ctx.app.prisma.exam.count({ where: { title: 'x' } })).toBe(0);
  });

  it('accepts a draft whose filter pools are still too small (checked at publish)', async () => {
    const e = await newExam({ title: 'Too big', blueprint: { sections: [{ count: 9, points: 1, pool: { topic: 'softmax' } }] } });
    expect(e.status).toBe('DRAFT');
  });
});

describe('GET /courses/:courseId/exams and /exams/:examId', () => {
  let c: { id: string };
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    c = await createCourse(ctx.app, [
      [teacher, 'INSTRUCTOR'],
      [ta, 'TA'],
      [student, 'STUDENT'],
    ]);
    const mk = async (title: string) => {
      const res = await create(teacher, { title, blueprint: simple() }, c.id);
      expect(res.statusCode).toBe(201);
      return res.json().id as string;
    };
    ids.draft = await mk('Draft');
    ids.published = await mk('Published');
    ids.archived = await mk('Archived');
    expect((await act(teacher, ids.published, 'publish')).statusCode).toBe(200);
    expect((await act(teacher, ids.archived, 'publish')).statusCode).toBe(200);
    expect((await act(teacher, ids.archived, 'archive')).statusCode).toBe(200);
  });
  const list = (user: TestUser, query = '', courseId = c.id) => req('GET', `/courses/${courseId}/exams${query}`, user);

  it('lists every exam to staff, newest first, with a status filter and pages', async () => {
    for (const user of [teacher, ta]) {
      const body = (await list(user)).json();
      expect(body).toMatchObject({ page: 1, pageSize: 20, total: 3 });
      expect(body.items.map((e: ExamJson) => e.title)).toEqual(['Archived', 'Published', 'Draft']);
      expect(Object.keys(body.items[0]).sort()).toEqual([
        'blueprint',
        'copiedFromId',
        'courseId',
        'createdAt',
        'id',
        'publishedAt',
        'status',
        'title',
        'updatedAt',
      ]);
    }
    const drafts = (await list(teacher, '?status=DRAFT')).json();
    expect(drafts.items.map((e: ExamJson) => e.id)).toEqual([ids.draft]);
    const p2 = (await list(teacher, '?page=2&pageSize=2')).json();
    expect(p2).toMatchObject({ page: 2, pageSize: 2, total: 3 });
    expect(p2.items.map((e: ExamJson) => e.id)).toEqual([ids.draft]);
    const bad = await list(teacher, '?status=SECRET');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].path).toBe('querystring.status');
  });

  it('shows students published and archived exams only', async () => {
    const body = (await list(student)).json();
    expect(body.total).toBe(2);
    expect(body.items.map((e: ExamJson) => e.id)).toEqual([ids.archived, ids.published]);
    const drafts = (await list(student, '?status=DRAFT')).json();
    expect(drafts).toMatchObject({ total: 0, items: [] });
    expect((await get(student, ids.published)).statusCode).toBe(200);
    expect((await get(student, ids.archived)).json().status).toBe('ARCHIVED');
    const draft = await get(student, ids.draft);
    expect(draft.statusCode).toBe(404);
    expect(draft.json()).toMatchObject({ code: 'NOT_FOUND', message: 'exam not found' });
  });

  it('hides the course and its exams from non-members', async () => {
    expect((await list(outsider)).statusCode).toBe(404);
    for (const id of Object.values(ids)) {
      const res = await get(outsider, id);
      expect(res.statusCode).toBe(404);
      expect(res.json().message).toBe('exam not found');
    }
    expect((await get(teacher, MISSING)).statusCode).toBe(404);
    expect((await get(teacher, 'nope')).json().details[0].path).toBe('params.examId');
  });

  it('lets staff read a draft', async () => {
    for (const user of [teacher, ta, admin]) {
      const res = await get(user, ids.draft);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: ids.draft, status: 'DRAFT', title: 'Draft' });
    }
  });
});

describe('PATCH /exams/:examId', () => {
  it('edits a draft: title, blueprint, or both', async () => {
    const e = await newExam();
    const t = await patch(teacher, e.id, { title: 'Renamed' });
    expect(t.statusCode).toBe(200);
    expect(t.json()).toMatchObject({ title: 'Renamed', blueprint: e.blueprint });
    const blueprint = { sections: [{ count: 1, points: 3, pool: { tags: ['loss', 'notes-example'] } }], policies: { shuffle: true } };
    const b = await patch(teacher, e.id, { blueprint });
    expect(b.statusCode).toBe(200);
    expect(b.json().title).toBe('Renamed');
    expect(b.json().blueprint.sections).toEqual(blueprint.sections);
    expect(b.json().blueprint.policies).toMatchObject({ shuffle: true, maxAttempts: 1 });
    expect((await get(teacher, e.id)).json().blueprint).toEqual(b.json().blueprint);
  });

  it('validates like create and refuses empty or unknown fields', async () => {
    const e = await newExam();
    const empty = await patch(teacher, e.id, {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json().details[0].path).toBe('body');
    const bad = await patch(teacher, e.id, { blueprint: { sections: [{ count: 1, points: 1, pool: { difficulty: [6] } }] } });
    expect(bad.json().details[0].path).toBe('body.blueprint.sections.0.pool.difficulty.0');
    expect((await patch(teacher, e.id, { title: 'x', status: 'PUBLISHED' })).statusCode).toBe(400);
    const unknown = await patch(teacher, e.id, { blueprint: { sections: [{ count: 1, points: 1, pool: { templates: ['ghost-template'] } }] } });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ code: 'POOL_INVALID', details: [{ section: 0, unknown: ['ghost-template'] }] });
    expect((await get(teacher, e.id)).json().blueprint).toEqual(e.blueprint);
  });

  it('is for instructors: TAs 403, students 404 on drafts, outsiders 404', async () => {
    const e = await newExam();
    expect((await patch(ta, e.id, { title: 'y' })).statusCode).toBe(403);
    expect((await patch(student, e.id, { title: 'y' })).statusCode).toBe(404);
    expect((await patch(outsider, e.id, { title: 'y' })).statusCode).toBe(404);
    expect((await patch(teacher, MISSING, { title: 'y' })).statusCode).toBe(404);
    const p = await published();
    expect((await patch(student, p.id, { title: 'y' })).statusCode).toBe(403);
    expect((await get(teacher, e.id)).json().title).toBe('Midterm');
  });

  it('refuses to edit a published or archived exam (409 EXAM_FROZEN)', async () => {
    const p = await published();
    for (const body of [{ title: 'Changed' }, { blueprint: simple() }]) {
      const res = await patch(teacher, p.id, body);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'EXAM_FROZEN', details: { status: 'PUBLISHED' } });
    }
    expect((await act(teacher, p.id, 'archive')).statusCode).toBe(200);
    const archived = await patch(teacher, p.id, { title: 'Changed' });
    expect(archived.json()).toMatchObject({ code: 'EXAM_FROZEN', details: { status: 'ARCHIVED' } });
    const row = await ctx.app.prisma.exam.findUniqueOrThrow({ where: { id: p.id } });
    expect(row.title).toBe('Midterm');
  });
});

describe('the lifecycle: publish, archive, copy', () => {
  it('publishes a draft at the server clock time', async () => {
    const e = await newExam();
    ctx.clock.now = new Date('2030-05-01T12:00:00Z');
    try {
      const res = await act(teacher, e.id, 'publish');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: e.id, status: 'PUBLISHED', publishedAt: '2030-05-01T12:00:00.000Z', blueprint: e.blueprint });
    } finally {
      ctx.clock.now = new Date();
    }
  });

  it('refuses wrong transitions with 409 INVALID_TRANSITION', async () => {
    const e = await newExam();
    const archiveDraft = await act(teacher, e.id, 'archive');
    expect(archiveDraft.statusCode).toBe(409);
    expect(archiveDraft.json()).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'DRAFT', to: 'ARCHIVED' } });
    expect((await act(teacher, e.id, 'publish')).statusCode).toBe(200);
    const again = await act(teacher, e.id, 'publish');
    expect(again.json()).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'PUBLISHED', to: 'PUBLISHED' } });
    const archived = await act(teacher, e.id, 'archive');
    expect(archived.statusCode).toBe(200);
    expect(archived.json().status).toBe('ARCHIVED');
    expect(archived.json().publishedAt).not.toBeNull();
    expect((await act(teacher, e.id, 'archive')).json()).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'ARCHIVED', to: 'ARCHIVED' } });
    expect((await act(teacher, e.id, 'publish')).json()).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'ARCHIVED', to: 'PUBLISHED' } });
  });

  it('refuses to publish an unsatisfiable blueprint (422), leaving the draft a draft', async () => {
    const e = await newExam({
      title: 'Too big',
      blueprint: {
        sections: [
          { count: 6, points: 1, pool: { topic: 'softmax' } },
          { count: 1, points: 1, pool: { topic: 'cnn' } },
          // A real topic and a real tag that no template has together: an empty pool, found at publish.
          { count: 1, points: 1, pool: { topic: 'cnn', tags: ['adam'] } },
        ],
      },
    });
    const res = await act(teacher, e.id, 'publish');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'BLUEPRINT_UNSATISFIABLE',
      details: [
        { section: 0, available: 5, count: 6 },
        { section: 2, available: 0, count: 1 },
      ],
    });
    expect(res.json().message).toMatch(/^section 0 needs 6 templates, its pool has 5; section 2 needs 1 templates, its pool has 0$/);
    const row = await ctx.app.prisma.exam.findUniqueOrThrow({ where: { id: e.id } });
    expect(row).toMatchObject({ status: 'DRAFT', publishedAt: null });
    // Fixed, it publishes.
    expect((await patch(teacher, e.id, { blueprint: { sections: [{ count: 2, points: 1, pool: { topic: 'softmax' } }] } })).statusCode).toBe(200);
    expect((await act(teacher, e.id, 'publish')).statusCode).toBe(200);
  });

  it('refuses sections whose pools are big enough alone but not together (no repeats in an attempt)', async () => {
    const same = await newExam({
      title: 'Overlap',
      blueprint: {
        sections: [
          { count: 1, points: 1, pool: { templates: ['conv-output-size'] } },
          { count: 1, points: 1, pool: { templates: ['conv-output-size'] } },
          { count: 1, points: 1, pool: { topic: 'cnn' } },
        ],
      },
    });
    const res = await act(teacher, same.id, 'publish');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'BLUEPRINT_UNSATISFIABLE', details: [{ sections: [0, 1], available: 1, count: 2 }] });

    // Overlapping pools that can share out their templates are fine.
    const cnn = (await pool({ topic: 'cnn' })).templateIds.length;
    const ok = await newExam({
      title: 'Overlap ok',
      blueprint: {
        sections: [
          { count: cnn - 1, points: 1, pool: { topic: 'cnn' } },
          { count: 1, points: 1, pool: { templates: ['conv-output-size'] } },
        ],
      },
    });
    expect((await act(teacher, ok.id, 'publish')).statusCode).toBe(200);
    const tooMany = await newExam({
      title: 'Overlap too many',
      blueprint: {
        sections: [
          { count: cnn, points: 1, pool: { topic: 'cnn' } },
          { count: 1, points: 1, pool: { templates: ['conv-output-size'] } },
        ],
      },
    });
    const r2 = await act(teacher, tooMany.id, 'publish');
    expect(r2.json()).toMatchObject({ code: 'BLUEPRINT_UNSATISFIABLE', details: [{ sections: [0, 1], available: cnn, count: cnn + 1 }] });
  });

  it('refuses a grouped pool whose group cannot supply its share of the draws', async () => {
    const groups = [['conv-output-size'], ['pool-output-size', 'max-pool-output', 'softmax-notes-example']];
    const e = await newExam({ title: 'Groups', blueprint: { sections: [{ count: 4, points: 1, pool: { groups } }] } });
    const res = await act(teacher, e.id, 'publish');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'BLUEPRINT_UNSATISFIABLE', details: [{ section: 0, group: 0, available: 1, count: 2 }] });
    expect((await patch(teacher, e.id, { blueprint: { sections: [{ count: 2, points: 1, pool: { groups } }] } })).statusCode).toBe(200);
    expect((await act(teacher, e.id, 'publish')).statusCode).toBe(200);
  });

  it('re-checks explicit ids at publish (a template removed since the draft was written)', async () => {
    await ctx.app.prisma.problemTemplate.create({
      data: {
        id: 'short-lived-template',
        slug: 'short-lived-template',
        title: 'Short-lived',
        topic: 'tmp',
        tags: [],
        difficulty: 1,
        currentVersion: 1,
        versions: { create: { version: 1, hash: 'short-lived', content: {} } },
      },
    });
    await ctx.app.catalogue.invalidate(null);
    const e = await newExam({ title: 'Gone', blueprint: { sections: [{ count: 1, points: 1, pool: { templates: ['short-lived-template'] } }] } });
    await ctx.app.prisma.problemTemplate.delete({ where: { id: 'short-lived-template' } });
    await ctx.app.catalogue.invalidate(null);
    const res = await act(teacher, e.id, 'publish');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'POOL_INVALID', details: [{ section: 0, unknown: ['short-lived-template'] }] });
  });

  it('copies any exam into a new draft with the same blueprint', async () => {
    const p = await published({ title: 'Final', blueprint: simple() });
    expect((await act(teacher, p.id, 'archive')).statusCode).toBe(200);
    const res = await act(teacher, p.id, 'copy');
    expect(res.statusCode).toBe(201);
    const copy = res.json();
    expect(copy).toMatchObject({ courseId: course.id, title: 'Final (copy)', status: 'DRAFT', publishedAt: null, copiedFromId: p.id, blueprint: p.blueprint });
    expect(copy.id).not.toBe(p.id);
    // The copy is editable; the original stays as it was.
    expect((await patch(teacher, copy.id, { title: 'Final v2' })).statusCode).toBe(200);
    expect((await get(teacher, p.id)).json()).toMatchObject({ title: 'Final', status: 'ARCHIVED' });
    const draftCopy = await act(teacher, copy.id, 'copy');
    expect(draftCopy.json()).toMatchObject({ title: 'Final v2 (copy)', copiedFromId: copy.id });
  });

  it('keeps a copy of a long title within the title limit', async () => {
    const e = await newExam({ title: 'T'.repeat(200), blueprint: simple() });
    const copy = (await act(teacher, e.id, 'copy')).json();
    expect(copy.title).toHaveLength(200);
    expect(copy.title.endsWith(' (copy)')).toBe(true);
    expect((await patch(teacher, copy.id, { title: copy.title })).statusCode).toBe(200);
  });

  it('lets only instructors publish, archive and copy', async () => {
    const e = await newExam();
    for (const what of ['publish', 'archive', 'copy'] as const) {
      expect((await act(ta, e.id, what)).statusCode).toBe(403);
      expect((await act(student, e.id, what)).statusCode).toBe(404);
      expect((await act(outsider, e.id, what)).statusCode).toBe(404);
      expect((await act(teacher, MISSING, what)).statusCode).toBe(404);
    }
    expect((await act(admin, e.id, 'publish')).statusCode).toBe(200);
    for (const what of ['archive', 'copy'] as const) expect((await act(student, e.id, what)).statusCode).toBe(403);
    expect(await ctx.app.prisma.exam.count({ where: { copiedFromId: e.id } })).toBe(0);
  });
});

describe('concurrent publish and edit', () => {
  it('never edits a draft after it is published', async () => {
    const edited = { sections: [{ count: 1, points: 7, pool: { topic: 'optimizers' } }] };
    const outcomes = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const e = await newExam();
      // Title-only edits are quicker, so both orders get a chance to happen.
      const body = i % 2 ? { title: 'Edited' } : { title: 'Edited', blueprint: edited };
      const [edit, pub] = await Promise.all([patch(teacher, e.id, body), act(teacher, e.id, 'publish')]);
      expect(pub.statusCode, pub.body).toBe(200);
      const row = await ctx.app.prisma.exam.findUniqueOrThrow({ where: { id: e.id } });
      expect(row.status).toBe('PUBLISHED');
      if (edit.statusCode === 200) {
        // The edit landed first: it is what was published.
        outcomes.add('edit first');
        expect(row.title).toBe('Edited');
        expect(pub.json().blueprint.sections).toEqual(body.blueprint ? edited.sections : e.blueprint.sections);
      } else {
        outcomes.add('publish first');
        expect(edit.statusCode).toBe(409);
        expect(edit.json().code).toBe('EXAM_FROZEN');
        expect(row.title).toBe('Midterm');
        expect(JSON.parse(JSON.stringify(row.blueprint))).toEqual(e.blueprint);
      }
      expect(pub.json().blueprint).toEqual((await get(teacher, e.id)).json().blueprint);
    }
  });

  it('never publishes a blueprint it did not check', async () => {
    const unsatisfiable = { sections: [{ count: 9, points: 1, pool: { topic: 'softmax' } }] };
    for (let i = 0; i < 12; i++) {
      const e = await newExam();
      const [pub, edit] = await Promise.all([act(teacher, e.id, 'publish'), patch(teacher, e.id, { blueprint: unsatisfiable })]);
      const row = await ctx.app.prisma.exam.findUniqueOrThrow({ where: { id: e.id } });
      if (pub.statusCode === 200) {
        expect(edit.statusCode).toBe(409);
        expect(row.status).toBe('PUBLISHED');
        expect(JSON.parse(JSON.stringify(row.blueprint))).toEqual(e.blueprint);
      } else {
        expect(pub.statusCode).toBe(422);
        expect(edit.statusCode).toBe(200);
        expect(row.status).toBe('DRAFT');
      }
    }
  });

  it('publishes once when two publishes race', async () => {
    const e = await newExam();
    const results = await Promise.all([act(teacher, e.id, 'publish'), act(teacher, e.id, 'publish'), act(teacher, e.id, 'publish')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409, 409]);
  });
});

describe('overrides', () => {
  let e: ExamJson;
  const url = (userId: string, examId = e.id) => `/exams/${examId}/overrides/${userId}`;
  beforeAll(async () => {
    e = await published();
  });

  it('sets, replaces, lists and removes a member override', async () => {
    const put = await req('PUT', url(student.id), teacher, { extraMinutes: 30, closesAt: '2031-03-01T10:00:00+02:00', extraAttempts: 1 });
    expect(put.statusCode).toBe(200);
    const o = put.json();
    expect(Object.keys(o).sort()).toEqual(['closesAt', 'createdAt', 'examId', 'extraAttempts', 'extraMinutes', 'userId']);
    expect(o).toMatchObject({ examId: e.id, userId: student.id, extraMinutes: 30, closesAt: '2031-03-01T08:00:00.000Z', extraAttempts: 1 });

    // PUT replaces: what is left out goes back to its default.
    const replaced = await req('PUT', url(student.id), teacher, { extraAttempts: 2 });
    expect(replaced.json()).toMatchObject({ extraMinutes: 0, closesAt: null, extraAttempts: 2, createdAt: o.createdAt });
    expect((await req('PUT', url(ta.id), teacher, {})).json()).toMatchObject({ userId: ta.id, extraMinutes: 0, closesAt: null, extraAttempts: 0 });

    for (const user of [teacher, ta]) {
      const list = await req('GET', `/exams/${e.id}/overrides`, user);
      expect(list.statusCode).toBe(200);
      expect(list.json()).toMatchObject({ page: 1, pageSize: 20, total: 2 });
      expect(list.json().items.map((x: { userId: string }) => x.userId)).toEqual([student.id, ta.id]);
    }

    const del = await req('DELETE', url(student.id), teacher);
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    expect((await req('DELETE', url(student.id), teacher)).statusCode).toBe(404);
    expect((await req('GET', `/exams/${e.id}/overrides`, teacher)).json().total).toBe(1);
    expect(await ctx.app.prisma.examOverride.count({ where: { examId: e.id, userId: student.id } })).toBe(0);
  });

  it('works on drafts too (prepared before publishing)', async () => {
    const d = await newExam();
    expect((await req('PUT', url(student.id, d.id), teacher, { extraMinutes: 15 })).statusCode).toBe(200);
  });

  it('refuses people who are not members of the course (404)', async () => {
    const res = await req('PUT', url(outsider.id), teacher, { extraMinutes: 10 });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe('member not found');
    expect((await req('PUT', url(MISSING), teacher, {})).statusCode).toBe(404);
    expect(await ctx.app.prisma.examOverride.count({ where: { userId: outsider.id } })).toBe(0);
  });

  it('is for instructors to change and staff to read', async () => {
    expect((await req('PUT', url(student.id), ta, {})).statusCode).toBe(403);
    expect((await req('PUT', url(student.id), student, { extraMinutes: 600 })).statusCode).toBe(403);
    expect((await req('DELETE', url(ta.id), ta)).statusCode).toBe(403);
    expect((await req('GET', `/exams/${e.id}/overrides`, student)).statusCode).toBe(403);
    expect((await req('GET', `/exams/${e.id}/overrides`, outsider)).statusCode).toBe(404);
    expect((await req('PUT', url(student.id), outsider, {})).statusCode).toBe(404);
    expect((await req('PUT', url(student.id, MISSING), teacher, {})).statusCode).toBe(404);
  });

  it('validates the body and the ids, naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ extraMinutes: 10_081 }, 'body.extraMinutes'],
      [{ extraMinutes: -1 }, 'body.extraMinutes'],
      [{ extraMinutes: 1.5 }, 'body.extraMinutes'],
      [{ extraAttempts: 101 }, 'body.extraAttempts'],
      [{ closesAt: 'tomorrow' }, 'body.closesAt'],
      [{ closesAt: '2031-03-01T10:00:00' }, 'body.closesAt'],
      [{ reason: 'dyslexia' }, 'body'],
    ];
    for (const [payload, path] of cases) {
      const res = await req('PUT', url(student.id), teacher, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect((await req('PUT', url(student.id), teacher, { extraMinutes: 10_080, extraAttempts: 100, closesAt: null })).statusCode).toBe(200);
    expect((await req('PUT', `/exams/${e.id}/overrides/nope`, teacher, {})).json().details[0].path).toBe('params.userId');
  });
});

describe('authorizeExam, resolvePool, checkBlueprint', () => {
  const claims = (u: TestUser) => userPrincipal(u.id, u === admin);
  const loadExamFor = (app: TestContext['app'], p: ReturnType<typeof claims>, id: string, roles?: ['INSTRUCTOR']) =>
    authorizeExam(app.prisma, p, id, roles ? 'instructor' : 'member');

  it('authorizeExam: the exam, its typed blueprint and the access, or 404/403', async () => {
    const d = await newExam();
    const p = await published();
    const loaded = await loadExamFor(ctx.app, claims(student), p.id);
    expect(loaded.exam.id).toBe(p.id);
    expect(loaded.course).toMatchObject({ courseId: course.id, role: 'STUDENT' });
    expect(loaded.blueprint.policies.maxAttempts).toBe(2);
    await expect(loadExamFor(ctx.app, claims(student), d.id)).rejects.toMatchObject({ statusCode: 404 });
    await expect(loadExamFor(ctx.app, claims(outsider), p.id)).rejects.toMatchObject({ statusCode: 404, message: 'exam not found' });
    await expect(loadExamFor(ctx.app, claims(ta), p.id, ['INSTRUCTOR'])).rejects.toMatchObject({ statusCode: 403 });
    await expect(loadExamFor(ctx.app, claims(student), d.id, ['INSTRUCTOR'])).rejects.toMatchObject({ statusCode: 404 });
    expect((await loadExamFor(ctx.app, claims(admin), d.id, ['INSTRUCTOR'])).course.role).toBe('INSTRUCTOR');
  });

  it('resolvePool: filters select from the catalogue sorted by id; tags all match, difficulty any', async () => {
    const all = await ctx.app.prisma.problemTemplate.findMany({ select: { id: true, topic: true, tags: true, difficulty: true } });
    const expectIds = (f: (t: (typeof all)[number]) => boolean) =>
      all
        .filter(f)
        .map((t) => t.id)
        .sort();
    expect((await pool({ topic: 'softmax' })).templateIds).toEqual([
      'softmax-gradient-scores',
      'softmax-gradient-weights',
      'softmax-loss-bounds-init',
      'softmax-notes-example',
      'softmax-probabilities-loss',
    ]);
    expect((await pool({ tags: ['loss', 'notes-example'] })).templateIds).toEqual(
      expectIds((t) => t.tags.includes('loss') && t.tags.includes('notes-example')),
    );
    const easyCnn = await pool({ topic: 'cnn', difficulty: [1, 3] });
    expect(easyCnn.templateIds).toEqual(expectIds((t) => t.topic === 'cnn' && [1, 3].includes(t.difficulty)));
    expect(easyCnn.templateIds.length).toBeGreaterThan(1);
    expect(easyCnn.groups).toBeUndefined();
    expect((await pool({ topic: 'optimizers', tags: ['adam'] })).templateIds).toEqual(expectIds((t) => t.topic === 'optimizers' && t.tags.includes('adam')));
    await expect(pool({ tags: ['no-such-tag'] })).rejects.toMatchObject({
      code: 'POOL_INVALID',
      details: { unknownTags: ['no-such-tag'] },
    });
  });

  it('resolvePool: explicit templates keep their order; groups give their union', async () => {
    const r = await pool({ templates: ['softmax-notes-example', 'conv-output-size', 'softmax-notes-example'] });
    expect(r).toEqual({ templateIds: ['softmax-notes-example', 'conv-output-size'] });
    const g = await pool({ groups: [['conv-output-size', 'pool-output-size'], ['softmax-notes-example']] });
    expect(g).toEqual({
      templateIds: ['conv-output-size', 'pool-output-size', 'softmax-notes-example'],
      groups: [['conv-output-size', 'pool-output-size'], ['softmax-notes-example']],
    });
    await expect(pool({ templates: ['conv-output-size', 'nope-a', 'nope-b'] })).rejects.toMatchObject({
      statusCode: 422,
      code: 'POOL_INVALID',
      details: { unknown: ['nope-a', 'nope-b'] },
    });
  });

  it('checkBlueprint: returns the resolved pools of a satisfiable blueprint', async () => {
    const pools = checkBlueprint(await ctx.app.catalogue.of(course.id), blueprintSchema.parse(simple()));
    expect(pools).toHaveLength(2);
    expect(pools[1]?.templateIds).toEqual(['softmax-notes-example', 'softmax-probabilities-loss']);
  });
});

describe('OpenAPI', () => {
  it('documents the exam routes', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/courses/{courseId}/exams',
        '/api/v1/exams/{examId}',
        '/api/v1/exams/{examId}/publish',
        '/api/v1/exams/{examId}/overrides/{userId}',
      ]),
    );
  });
});
