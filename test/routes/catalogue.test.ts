import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';
import { syncCatalogue } from '../../src/catalogue/sync.js';

let ctx: TestContext;
let student: TestUser;
let instructor: TestUser;
let course: { id: string };
beforeAll(async () => {
  ctx = await setupApp();
  student = await createUser(ctx.app);
  instructor = await createUser(ctx.app);
  course = await createCourse(ctx.app, [
    [student, 'STUDENT'],
    [instructor, 'INSTRUCTOR'],
  ]);
});
afterAll(async () => ctx?.close());

const get = (user: TestUser, url: string) => ctx.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: user.auth });

describe('catalogue', () => {
  it('lists templates with titles and topics only, paginated', async () => {
    const res = await get(student, `/courses/${course.id}/templates?pageSize=10`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBeGreaterThanOrEqual(40);
    expect(body.items).toHaveLength(10);
    for (const item of body.items) expect(Object.keys(item).sort()).toEqual(['difficulty', 'id', 'source', 'tags', 'title', 'topic']);
    expect(res.body).not.toMatch(/"expr"|"answers"|"solution"|"params"/);
    const page2 = (await get(student, `/courses/${course.id}/templates?pageSize=10&page=2`)).json();
    expect(page2.items[0].id).not.toBe(body.items[0].id);
  });

  it('filters by topic, tag and difficulty', async () => {
    const cnn = (await get(student, `/courses/${course.id}/templates?topic=cnn&pageSize=100`)).json();
    expect(cnn.items.length).toBeGreaterThan(0);
    expect(cnn.items.every((t: { topic: string }) => t.topic === 'cnn')).toBe(true);
    const tagged = cnn.items[0].tags[0];
    const byTag = (await get(student, `/courses/${course.id}/templates?tag=${tagged}&pageSize=100`)).json();
    expect(byTag.items.every((t: { tags: string[] }) => t.tags.includes(tagged))).toBe(true);
    const easy = (await get(student, `/courses/${course.id}/templates?difficulty=1&pageSize=100`)).json();
    expect(easy.items.every((t: { difficulty: number }) => t.difficulty === 1)).toBe(true);
    expect((await get(student, `/courses/${course.id}/templates?difficulty=9`)).statusCode).toBe(400);
  });

  it('previews a template by seed for staff only', async () => {
    const url = `/courses/${course.id}/templates/svm-loss-notes-example/preview?seed=3`;
    const res = await get(instructor, url);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ templateId: 'svm-loss-notes-example', seed: 3, version: 1 });
    expect(body.answers).toBeDefined();
    expect(body.solution.length).toBeGreaterThan(0);
    expect((await get(instructor, url)).json()).toEqual(body);
    const denied = await get(student, url);
    expect(denied.statusCode).toBe(403);
    expect(denied.body).not.toContain('solution');
  });

  it('keeps versions immutable: an edit makes a new version and old variants keep theirs', async () => {
    const issued = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/courses/${course.id}/practice`,
      headers: student.auth,
      payload: { templateId: 'conv-output-size' },
    });
    const before = await ctx.app.prisma.variant.findUniqueOrThrow({ where: { id: issued.json().id }, include: { templateVersion: true } });
    const { upsertTemplate } = await import('../../src/catalogue/sync.js');
    const { compileTemplate } = await import('../../src/engine/index.js');
    const edited = compileTemplate({ ...(before.templateVersion.content as object), title: 'Conv output size (edited)' });
    const r = await upsertTemplate(ctx.app.prisma, edited, 'builtin');
    expect(r).toMatchObject({ created: true, version: 2 });
    const again = await upsertTemplate(ctx.app.prisma, edited, 'builtin');
    expect(again).toMatchObject({ created: false, version: 2 });
    const after = await ctx.app.prisma.variant.findUniqueOrThrow({ where: { id: before.id }, include: { templateVersion: true } });
    expect(after.templateVersion.version).toBe(1);
    expect(await ctx.app.prisma.templateVersion.count({ where: { templateId: 'conv-output-size' } })).toBe(2);
    // A restart re-syncs the unchanged files: the file's content becomes current again as version 1.
    await syncCatalogue(ctx.app.prisma, 'problems');
    expect((await ctx.app.prisma.problemTemplate.findUniqueOrThrow({ where: { id: 'conv-output-size' } })).currentVersion).toBe(1);
  });
});

describe('stored template versions', () => {
  it('keep the authored parameter order, so they compile from the database alone', async () => {
    const { checkCatalogue, compileTemplate } = await import('../../src/engine/index.js');
    const files = new Map(checkCatalogue('problems').templates.map((t) => [t.template.id, Object.keys(t.template.params)]));
    const rows = await ctx.app.prisma.templateVersion.findMany({ where: { version: 1 } });
    expect(rows.length).toBeGreaterThanOrEqual(40);
    for (const row of rows) {
      const content = row.content as { params: Record<string, unknown>; title: string };
      expect(Object.keys(content.params), row.templateId).toEqual(files.get(row.templateId));
      // A changed title gives a new hash, so this compiles the stored content itself, not a cached file.
      expect(() => compileTemplate({ ...content, title: `${content.title} ` }), row.templateId).not.toThrow();
    }
  });
});

describe('docs and health', () => {
  it('serves OpenAPI 3 generated from the schemas', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/courses/{courseId}/practice', '/api/v1/variants/{variantId}/submissions']),
    );
    const submit = doc.paths['/api/v1/variants/{variantId}/submissions'].post;
    expect(submit.requestBody.content['application/json'].schema.properties.answers).toBeDefined();
    expect((await ctx.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('answers liveness and readiness', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: '/health/live' })).json()).toEqual({ status: 'ok' });
    const ready = await ctx.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().status).toBe('ok');
  });

  it('gives unknown routes the standard error shape', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ statusCode: 404, code: 'ROUTE_NOT_FOUND', message: 'no route GET /api/v1/nope' });
  });
});
