/**
 * Authoring a course's own templates (under /courses/:courseId/authoring). Who may do what:
 * staff (TAs and instructors) read the course's templates, validate, create and save drafts,
 * copy built-ins, preview, self-test, diff and export; only instructors publish, archive,
 * restore and import (what students get). Students reach none of it (403), and nobody reaches
 * another course's templates (404: a course the caller is not in does not exist for them).
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { MAX_SEED } from '../../engine/index.js';
import { authorizeCourse, type UserPrincipal } from '../../authz/index.js';
import { CourseTemplates } from '../../authoring/course-templates.js';
import { sandboxRunner } from '../../authoring/runner.js';
import { courseParams, errors, optionalBody, urlInt } from '../schemas.js';
import { previewBody, previewOut } from '../catalogue/index.js';
import { toErrorBody } from '../../plugins/errors.js';

const tags = ['authoring'];
const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a template id (lowercase words joined by hyphens)')
  .max(80);
const slugParams = courseParams.extend({ slug });
const versionParams = slugParams.extend({ version: urlInt(1, 1_000_000) });
const sourceBody = z.strictObject({ source: z.string().min(1).max(200_000).describe('the template as YAML, in the problems/ format') });

const issue = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  code: z.string(),
  message: z.string(),
});
const validationOut = z.object({ ok: z.boolean(), hash: z.string().optional(), errors: z.array(issue), warnings: z.array(issue) });

const summaryOut = z.object({
  id: z.string().describe('internal id: "<courseId>/<slug>"'),
  slug: z.string(),
  title: z.string(),
  topic: z.string(),
  tags: z.array(z.string()),
  difficulty: z.number().int(),
  currentVersion: z.number().int().nullable().describe('the published version students get; null before the first publish'),
  latestVersion: z.number().int(),
  archived: z.boolean(),
  copiedFromId: z.string().nullable(),
  updatedAt: z.date(),
});
const versionSummaryOut = z.object({
  version: z.number().int(),
  status: z.enum(['DRAFT', 'PUBLISHED']),
  current: z.boolean(),
  hash: z.string(),
  selfTestPassed: z.boolean(),
  selfTested: z.boolean(),
  createdAt: z.date(),
  createdById: z.string().nullable(),
});
const selfTestOut = z.object({
  id: z.string(),
  variants: z.number().int(),
  distinct: z.number().int(),
  failures: z.array(z.object({ seed: z.number().int(), reason: z.string() })),
  passed: z.boolean(),
  at: z.string(),
  timings: z.unknown().optional(),
});
const templateOut = summaryOut.extend({ versions: z.array(versionSummaryOut) });
const versionOut = versionSummaryOut.extend({ source: z.string(), content: z.unknown(), selfTest: selfTestOut.nullable() });

/** The self-test as JSON lines: progress as it comes, then the report (or the error). */
async function* progressLines(run: (onProgress: (done: number, total: number) => void) => Promise<unknown>): AsyncGenerator<string> {
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  const push = (line: object) => {
    queue.push(`${JSON.stringify(line)}\n`);
    wake?.();
  };
  void run((done, total) => push({ type: 'progress', done, total }))
    .then(
      (report) => push({ type: 'report', ...(report as object) }),
      (err: unknown) => {
        const body = toErrorBody(err);
        push({ type: 'error', code: body.code, message: body.message });
      },
    )
    .finally(() => {
      finished = true;
      wake?.();
    });
  for (;;) {
    while (queue.length) yield queue.shift() as string;
    if (finished) return;
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
}

const authoringRoutes: FastifyPluginAsyncZod = async (app) => {
  // Course templates are untrusted: their code runs in the sandbox only.
  const runner = sandboxRunner(() => app.sandbox);
  const templates = new CourseTemplates(app, runner);
  const staff = (courseId: string, p: UserPrincipal) => authorizeCourse(app.prisma, p, courseId, 'staff');
  const instructor = (courseId: string, p: UserPrincipal) => authorizeCourse(app.prisma, p, courseId, 'instructor');

  app.post(
    '/courses/:courseId/authoring/validate',
    {
      schema: {
        tags,
        summary: 'Check a template without saving it: YAML, schema, expressions, constraints, answers; each issue with its path and line (staff)',
        params: courseParams,
        body: sourceBody,
        response: { 200: validationOut, ...errors },
      },
    },
    async (request) => {
      await staff(request.params.courseId, request.principal);
      const { ok, hash, errors: found, warnings } = await runner.validate(request.body.source);
      return { ok, ...(hash ? { hash } : {}), errors: found, warnings };
    },
  );

  app.get(
    '/courses/:courseId/authoring/templates',
    {
      schema: {
        tags,
        summary: "The course's own templates, drafts and archived ones included (staff)",
        params: courseParams,
        response: { 200: z.object({ items: z.array(summaryOut) }), ...errors },
      },
    },
    async (request) => ({ items: await templates.list(await staff(request.params.courseId, request.principal)) }),
  );

  app.post(
    '/courses/:courseId/authoring/templates',
    {
      schema: {
        tags,
        summary: 'A new course template from YAML: version 1, a draft (staff); 409 TEMPLATE_EXISTS when the course has the id',
        params: courseParams,
        body: sourceBody,
        response: { 201: templateOut, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await templates.create(await staff(request.params.courseId, request.principal), request.body.source)),
  );

  app.post(
    '/courses/:courseId/authoring/templates/copy',
    {
      schema: {
        tags,
        summary: 'Copy a template the course can see (a built-in, or its own) into the course as a new draft template, under its id or a new one (staff)',
        params: courseParams,
        body: z.strictObject({ from: z.string().min(1).max(200), id: slug.optional() }),
        response: { 201: templateOut, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await templates.copy(await staff(request.params.courseId, request.principal), request.body.from, request.body.id)),
  );

  app.get(
    '/courses/:courseId/authoring/templates/:slug',
    {
      schema: { tags, summary: 'A course template and its versions, oldest first (staff)', params: slugParams, response: { 200: templateOut, ...errors } },
    },
    async (request) => templates.get(await staff(request.params.courseId, request.principal), request.params.slug),
  );

  app.post(
    '/courses/:courseId/authoring/templates/:slug/versions',
    {
      schema: {
        tags,
        summary: 'Save a new version (a draft) from YAML; the same content again returns its existing version with 200 (staff)',
        params: slugParams,
        body: sourceBody,
        response: { 200: versionOut, 201: versionOut, ...errors },
      },
    },
    async (request, reply) => {
      const saved = await templates.save(await staff(request.params.courseId, request.principal), request.params.slug, request.body.source);
      return reply.code(saved.created ? 201 : 200).send(saved.version);
    },
  );

  app.get(
    '/courses/:courseId/authoring/templates/:slug/versions/:version',
    {
      schema: { tags, summary: 'One version: its YAML, content and last self-test (staff)', params: versionParams, response: { 200: versionOut, ...errors } },
    },
    async (request) => templates.version(await staff(request.params.courseId, request.principal), request.params.slug, request.params.version),
  );

  app.get(
    '/courses/:courseId/authoring/templates/:slug/diff',
    {
      schema: {
        tags,
        summary: "The unified diff of two versions' YAML (staff)",
        params: slugParams,
        querystring: z.strictObject({ from: urlInt(1, 1_000_000), to: urlInt(1, 1_000_000) }),
        response: { 200: z.object({ from: z.number().int(), to: z.number().int(), diff: z.string() }), ...errors },
      },
    },
    async (request) => templates.diff(await staff(request.params.courseId, request.principal), request.params.slug, request.query.from, request.query.to),
  );

  app.get(
    '/courses/:courseId/authoring/templates/:slug/versions/:version/preview',
    {
      schema: {
        tags,
        summary: 'One variant of a version (drafts too) by seed, with parameters, answers and solution (staff)',
        params: versionParams,
        querystring: z.strictObject({ seed: urlInt(0, MAX_SEED).default(1) }),
        response: { 200: previewOut, ...errors },
      },
    },
    async (request) => {
      const course = await staff(request.params.courseId, request.principal);
      const { compiled, templateId } = await templates.compiledVersion(course, request.params.slug, request.params.version);
      return previewBody(templateId, request.params.version, await runner.preview(compiled, request.query.seed));
    },
  );

  app.post(
    '/courses/:courseId/authoring/templates/:slug/versions/:version/self-test',
    {
      schema: {
        tags,
        summary:
          'Self-test a version: N variants, each checked (correct answer scores 1, a perturbed one less, unreadable text is a format error); the report is stored, and a version publishes only after one passed (staff)',
        description:
          'With `Accept: application/x-ndjson` the response is a stream of JSON lines as the test runs: `{"type":"progress","done":25,"total":100}` …, ' +
          'then `{"type":"report", …the report}` (or `{"type":"error","code","message"}`).',
        params: versionParams,
        body: optionalBody(z.strictObject({ variants: z.number().int().min(10).max(1000).default(100) })),
        response: {
          200: z.union([selfTestOut, z.instanceof(Readable)]).meta({
            description: 'the report (JSON), or with Accept: application/x-ndjson its progress and then the report as JSON lines',
            content: {
              'application/json': { schema: z.toJSONSchema(selfTestOut, { io: 'output' }) },
              'application/x-ndjson': { schema: { type: 'string' } },
            },
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const course = await staff(request.params.courseId, request.principal);
      const run = (onProgress?: (done: number, total: number) => void) =>
        templates.selfTest(course, request.params.slug, request.params.version, request.body.variants, onProgress);
      if (!/application\/x-ndjson/.test(request.headers.accept ?? '')) return run();
      // The version must exist before the stream starts, so that a 404 is still a JSON error.
      await templates.compiledVersion(course, request.params.slug, request.params.version);
      return reply
        .type('application/x-ndjson')
        .header('cache-control', 'no-store')
        .send(Readable.from(progressLines(run)));
    },
  );

  app.post(
    '/courses/:courseId/authoring/templates/:slug/versions/:version/publish',
    {
      schema: {
        tags,
        summary:
          'Make a version the one students get, in practice and in exams started from now (instructors); 409 SELF_TEST_REQUIRED without a passed self-test',
        params: versionParams,
        response: { 200: templateOut, ...errors },
      },
    },
    async (request) => templates.publish(await instructor(request.params.courseId, request.principal), request.params.slug, request.params.version),
  );

  for (const [action, archived] of [
    ['archive', true],
    ['restore', false],
  ] as const) {
    app.post(
      `/courses/:courseId/authoring/templates/:slug/${action}`,
      {
        schema: {
          tags,
          summary: archived
            ? 'Archive a template: no longer drawn by pools or practice in the course; attempts already made keep their variants (instructors)'
            : 'Restore an archived template (instructors)',
          params: slugParams,
          response: { 200: templateOut, ...errors },
        },
      },
      async (request) => templates.setArchived(await instructor(request.params.courseId, request.principal), request.params.slug, archived),
    );
  }

  app.get(
    '/courses/:courseId/authoring/export',
    {
      schema: {
        tags,
        summary: "The course's templates (each one's latest version, archived ones left out) as one YAML file of documents in the problems/ format (staff)",
        params: courseParams,
        response: {
          200: z.instanceof(Readable).meta({
            description: 'the YAML bundle',
            content: { 'application/yaml; charset=utf-8': { schema: { type: 'string' } } },
            headers: { 'content-disposition': { type: 'string', description: 'attachment; filename="…"' } },
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const bundle = await templates.exportBundle(await staff(request.params.courseId, request.principal));
      return reply
        .type('application/yaml; charset=utf-8')
        .header('content-disposition', 'attachment; filename="templates.yaml"')
        .header('cache-control', 'no-store')
        .send(Readable.from([bundle]));
    },
  );

  app.post(
    '/courses/:courseId/authoring/import',
    {
      schema: {
        tags,
        summary:
          'Import a YAML bundle (documents in the problems/ format): new ids become draft templates, known ones new versions unless unchanged; nothing is stored unless every document validates (instructors)',
        params: courseParams,
        body: z.strictObject({ bundle: z.string().min(1).max(4_000_000) }),
        response: {
          200: z.object({
            results: z.array(z.object({ id: z.string(), result: z.enum(['created', 'new-version', 'unchanged']), version: z.number().int() })),
          }),
          ...errors,
        },
      },
    },
    async (request) => templates.importBundle(await instructor(request.params.courseId, request.principal), request.body.bundle),
  );
};
export default authoringRoutes;
