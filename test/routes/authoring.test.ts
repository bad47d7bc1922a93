/**
 * Course templates over REST: every authoring endpoint, its authorisation (students never,
 * TAs author drafts, instructors publish, archive, import; another course's templates do not
 * exist for a caller), the lifecycle from YAML to a student's exam question, and the bundle
 * round trip (export → import elsewhere → identical versions).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCourse, createUser, setupApp, type TestContext, type TestUser } from '../helpers/app.js';

let ctx: TestContext;
let instructor: TestUser;
let ta: TestUser;
let student: TestUser;
let otherInstructor: TestUser;
let course: { id: string };
let other: { id: string };

beforeAll(async () => {
  ctx = await setupApp();
  instructor = await createUser(ctx.app);
  ta = await createUser(ctx.app);
  student = await createUser(ctx.app);
  otherInstructor = await createUser(ctx.app);
  course = await createCourse(ctx.app, [
    [instructor, 'INSTRUCTOR'],
    [ta, 'TA'],
    [student, 'STUDENT'],
  ]);
  other = await createCourse(ctx.app, [[otherInstructor, 'INSTRUCTOR']]);
});
afterAll(async () => ctx?.close());

const call = (u: TestUser, method: 'GET' | 'POST', url: string, payload?: object) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers: u.auth, ...(payload ? { payload } : {}) });
const base = (c: { id: string } = course) => `/courses/${c.id}/authoring`;

/** A pooling problem in the problems/ format, under a given id (and with a tweak to the title). */
const yaml = (id: string, title = 'Pooling output (course)') => `id: ${id}
title: ${title}
topic: cnn
tags: [cnn, pooling]
difficulty: 1
params:
  W: { type: int, min: 6, max: 64 }
  F: { type: choice, values: [2, 3] }
  S: { type: choice, values: [1, 2] }
constraints:
  - { expr: "S <= F", message: "no skipped inputs" }
  - { expr: "mod(W - F, S) == 0", message: "whole output size" }
prompt: |
  A pooling window \${{ F }} \\times {{ F }}$ with stride $S = {{ S }}$ on a width $W = {{ W }}$ input.
answers:
  - id: W2
    label: 'output width'
    type: integer
    expr: "poolOutputSize(W, F, S)"
solution: |
  $W_2 = ({{ W }} - {{ F }})/{{ S }} + 1 = {{ poolOutputSize(W, F, S) }}$.
`;

describe('validate', () => {
  it('reports schema and expression errors with their path, and passes a good template; saves nothing', async () => {
    const good = await call(ta, 'POST', `${base()}/validate`, { source: yaml('pool-course') });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toMatchObject({ ok: true, errors: [] });
    const badExpr = await call(ta, 'POST', `${base()}/validate`, {
      source: yaml('pool-course').replace('poolOutputSize(W, F, S)"', 'poolOutputSize(W, F, Q)"'),
    });
    expect(badExpr.json().ok).toBe(false);
    expect(badExpr.json().errors[0].path.slice(0, 3)).toEqual(['answers', 0, 'expr']);
    const badSchema = await call(ta, 'POST', `${base()}/validate`, { source: yaml('pool-course').replace('difficulty: 1', 'difficulty: 9') });
    expect(badSchema.json().errors[0].path).toEqual(['difficulty']);
    const notYaml = await call(ta, 'POST', `${base()}/validate`, { source: 'id: [unclosed' });
    expect(notYaml.json()).toMatchObject({ ok: false, errors: [{ code: 'YAML_SYNTAX' }] });
    expect(notYaml.json().errors[0].line).toBe(1);
    expect((await call(ta, 'GET', `${base()}/templates`)).json().items).toEqual([]);
  });
});

describe('the lifecycle', () => {
  it('create → save → diff → preview → self-test → publish → an exam draws it → archive', async () => {
    const created = await call(ta, 'POST', `${base()}/templates`, { source: yaml('pool-course') });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: `${course.id}/pool-course`, slug: 'pool-course', currentVersion: null, latestVersion: 1 });
    expect(created.json().versions).toMatchObject([{ version: 1, status: 'DRAFT', selfTestPassed: false }]);
    expect((await call(ta, 'POST', `${base()}/templates`, { source: yaml('pool-course') })).json().code).toBe('TEMPLATE_EXISTS');
    const invalid = await call(ta, 'POST', `${base()}/templates`, { source: yaml('pool-bad').replace('type: integer', 'type: integr') });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json()).toMatchObject({ code: 'TEMPLATE_INVALID', details: { errors: [{ path: ['answers', 0, 'type'] }] } });

    // Not published yet: the course does not see it.
    expect((await call(student, 'GET', `/courses/${course.id}/templates?topic=cnn&pageSize=100`)).json().items.map((t: { id: string }) => t.id)).not.toContain(
      'pool-course',
    );

    const v2 = await call(ta, 'POST', `${base()}/templates/pool-course/versions`, { source: yaml('pool-course', 'Pooling output, edited') });
    expect(v2.statusCode).toBe(201);
    expect(v2.json()).toMatchObject({ version: 2, status: 'DRAFT', current: false });
    const same = await call(ta, 'POST', `${base()}/templates/pool-course/versions`, { source: yaml('pool-course', 'Pooling output, edited') });
    expect(same.statusCode).toBe(200);
    expect(same.json().version).toBe(2);
    const renamed = await call(ta, 'POST', `${base()}/templates/pool-course/versions`, { source: yaml('pool-other') });
    expect(renamed.json().code).toBe('TEMPLATE_ID_MISMATCH');

    const diff = (await call(ta, 'GET', `${base()}/templates/pool-course/diff?from=1&to=2`)).json();
    expect(diff.diff).toContain('-title: Pooling output (course)');
    expect(diff.diff).toContain('+title: Pooling output, edited');
    expect(diff.diff).toMatch(/^--- pool-course v1\n\+\+\+ pool-course v2\n@@ -1,/);

    const preview = (await call(ta, 'GET', `${base()}/templates/pool-course/versions/2/preview?seed=7`)).json();
    expect(preview).toMatchObject({ templateId: `${course.id}/pool-course`, version: 2, seed: 7, title: 'Pooling output, edited' });
    expect(typeof preview.answers.W2).toBe('number');

    const early = await call(instructor, 'POST', `${base()}/templates/pool-course/versions/2/publish`);
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('SELF_TEST_REQUIRED');
    const report = await call(ta, 'POST', `${base()}/templates/pool-course/versions/2/self-test`, { variants: 50 });
    expect(report.statusCode).toBe(200);
    expect(report.json()).toMatchObject({ variants: 50, failures: [], passed: true });
    expect(report.json().distinct).toBeGreaterThan(10);
    expect((await call(ta, 'GET', `${base()}/templates/pool-course/versions/2`)).json()).toMatchObject({ selfTestPassed: true, selfTest: { passed: true } });
    // As JSON lines, for a page that shows progress: progress as the batches finish, then the report.
    const streamed = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1${base()}/templates/pool-course/versions/2/self-test`,
      headers: { ...ta.auth, accept: 'application/x-ndjson' },
      payload: { variants: 60 },
    });
    expect(streamed.headers['content-type']).toContain('application/x-ndjson');
    const lines = streamed.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; done?: number; total?: number; passed?: boolean });
    expect(lines.at(-1)).toMatchObject({ type: 'report', variants: 60, passed: true });
    const progress = lines.filter((l) => l.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ done: 60, total: 60 });
    const missing = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1${base()}/templates/pool-course/versions/99/self-test`,
      headers: { ...ta.auth, accept: 'application/x-ndjson' },
    });
    expect(missing.statusCode).toBe(404);

    // A TA may not publish; the instructor may.
    expect((await call(ta, 'POST', `${base()}/templates/pool-course/versions/2/publish`)).statusCode).toBe(403);
    const published = await call(instructor, 'POST', `${base()}/templates/pool-course/versions/2/publish`);
    expect(published.statusCode).toBe(200);
    expect(published.json()).toMatchObject({ currentVersion: 2, title: 'Pooling output, edited' });

    // Visible at once: in the catalogue list, to pools, to practice.
    const list = (await call(student, 'GET', `/courses/${course.id}/templates?topic=cnn&pageSize=100`)).json().items;
    expect(list.find((t: { id: string }) => t.id === 'pool-course')).toMatchObject({ source: 'course', title: 'Pooling output, edited' });
    const practice = await call(student, 'POST', `/courses/${course.id}/practice`, { templateId: 'pool-course' });
    expect(practice.statusCode).toBe(201);
    expect(practice.json()).toMatchObject({ templateId: `${course.id}/pool-course`, title: 'Pooling output, edited' });

    const exam = await call(instructor, 'POST', `/courses/${course.id}/exams`, {
      title: 'Course template exam',
      blueprint: { sections: [{ count: 1, points: 2, pool: { templates: ['pool-course'] } }], policies: {} },
    });
    expect(exam.statusCode).toBe(201);
    expect((await call(instructor, 'POST', `/exams/${exam.json().id}/publish`)).statusCode).toBe(200);
    const attempt = await call(student, 'POST', `/exams/${exam.json().id}/attempts`);
    expect(attempt.statusCode).toBe(201);
    expect(attempt.json().questions[0]).toMatchObject({ templateId: `${course.id}/pool-course`, title: 'Pooling output, edited' });

    // Archived: the pool no longer resolves it, nor does practice.
    expect((await call(ta, 'POST', `${base()}/templates/pool-course/archive`)).statusCode).toBe(403);
    expect((await call(instructor, 'POST', `${base()}/templates/pool-course/archive`)).json()).toMatchObject({ archived: true });
    expect((await call(student, 'POST', `/courses/${course.id}/practice`, { templateId: 'pool-course' })).statusCode).toBe(404);
    const blocked = await call(ta, 'POST', `${base()}/templates/pool-course/versions`, { source: yaml('pool-course', 'third') });
    expect(blocked.json().code).toBe('TEMPLATE_ARCHIVED');
    expect((await call(instructor, 'POST', `${base()}/templates/pool-course/restore`)).json()).toMatchObject({ archived: false, currentVersion: 2 });
  });

  it('copies a built-in (its file as written) under its own id, which then shadows the built-in in this course only', async () => {
    const copy = await call(ta, 'POST', `${base()}/templates/copy`, { from: 'conv-output-size' });
    expect(copy.statusCode).toBe(201);
    expect(copy.json()).toMatchObject({ slug: 'conv-output-size', copiedFromId: 'conv-output-size', currentVersion: null });
    const source = (await call(ta, 'GET', `${base()}/templates/conv-output-size/versions/1`)).json().source as string;
    expect(source).toContain('id: conv-output-size');
    const renamed = await call(ta, 'POST', `${base()}/templates/copy`, { from: 'conv-output-size', id: 'my-conv' });
    expect(renamed.json()).toMatchObject({ slug: 'my-conv' });
    expect((await call(ta, 'GET', `${base()}/templates/my-conv/versions/1`)).json().source).toMatch(/^id: my-conv$/m);
    await call(ta, 'POST', `${base()}/templates/conv-output-size/versions/1/self-test`, { variants: 20 });
    await call(instructor, 'POST', `${base()}/templates/conv-output-size/versions/1/publish`);
    const mine = (await call(student, 'GET', `/courses/${course.id}/templates?topic=cnn&pageSize=100`)).json().items;
    expect(mine.filter((t: { id: string }) => t.id === 'conv-output-size')).toMatchObject([{ source: 'course' }]);
    const theirs = (await call(otherInstructor, 'GET', `/courses/${other.id}/templates?topic=cnn&pageSize=100`)).json().items;
    expect(theirs.filter((t: { id: string }) => t.id === 'conv-output-size')).toMatchObject([{ source: 'builtin' }]);
    expect((await call(ta, 'POST', `${base()}/templates/copy`, { from: 'no-such-template' })).statusCode).toBe(404);
  });

  it('export → import into another course gives identical versions; importing again changes nothing', async () => {
    const exported = await call(ta, 'GET', `${base()}/export`);
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toContain('application/yaml');
    const bundle = exported.body;
    expect(bundle.match(/^---$/gm)?.length).toBe(3);
    const imported = await call(otherInstructor, 'POST', `${base(other)}/import`, { bundle });
    expect(imported.statusCode).toBe(200);
    expect(imported.json().results.map((r: { result: string }) => r.result)).toEqual(['created', 'created', 'created']);
    const hashesOf = async (u: TestUser, c: { id: string }) => {
      const items = (await call(u, 'GET', `${base(c)}/templates`)).json().items as { slug: string; latestVersion: number }[];
      return Object.fromEntries(
        await Promise.all(
          items.map(async (t) => [t.slug, (await call(u, 'GET', `${base(c)}/templates/${t.slug}/versions/${t.latestVersion}`)).json().hash as string]),
        ),
      );
    };
    expect(await hashesOf(otherInstructor, other)).toEqual(await hashesOf(ta, course));
    const again = await call(otherInstructor, 'POST', `${base(other)}/import`, { bundle });
    expect(again.json().results.map((r: { result: string }) => r.result)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    const broken = await call(otherInstructor, 'POST', `${base(other)}/import`, { bundle: `${bundle}---\nid: broken\ntitle: x\n` });
    expect(broken.statusCode).toBe(422);
    expect(broken.json()).toMatchObject({ code: 'BUNDLE_INVALID', details: [{ document: 4 }] });
    expect((await call(ta, 'POST', `${base()}/import`, { bundle })).statusCode).toBe(403);
  });
});

describe('who may do what', () => {
  it('students reach no authoring route (403); outsiders find no course (404); another course is not reachable', async () => {
    const routes: ['GET' | 'POST', string, object?][] = [
      ['GET', '/templates'],
      ['POST', '/validate', { source: yaml('x') }],
      ['POST', '/templates', { source: yaml('x') }],
      ['POST', '/templates/copy', { from: 'conv-output-size' }],
      ['GET', '/templates/pool-course'],
      ['POST', '/templates/pool-course/versions', { source: yaml('pool-course') }],
      ['GET', '/templates/pool-course/versions/1'],
      ['GET', '/templates/pool-course/diff?from=1&to=2'],
      ['GET', '/templates/pool-course/versions/1/preview'],
      ['POST', '/templates/pool-course/versions/1/self-test', {}],
      ['POST', '/templates/pool-course/versions/1/publish'],
      ['POST', '/templates/pool-course/archive'],
      ['POST', '/templates/pool-course/restore'],
      ['GET', '/export'],
      ['POST', '/import', { bundle: yaml('x') }],
    ];
    for (const [method, path, body] of routes) {
      expect((await call(student, method, `${base()}${path}`, body)).statusCode, `student ${method} ${path}`).toBe(403);
      expect((await call(otherInstructor, method, `${base()}${path}`, body)).statusCode, `outsider ${method} ${path}`).toBe(404);
    }
    // The other course's instructor cannot name this course's template from their own course either.
    expect((await call(otherInstructor, 'GET', `/courses/${other.id}/templates/${course.id}%2Fpool-course/preview`)).statusCode).toBe(404);
    expect((await call(otherInstructor, 'POST', `/courses/${other.id}/practice`, { templateId: `${course.id}/pool-course` })).statusCode).toBe(404);
  });
});
