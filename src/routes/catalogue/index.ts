/**
 * The catalogue a course can use. Students see titles and topics only; staff can preview any
 * template by seed with its parameters, answers and solution.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { MAX_SEED, type Variant } from '../../engine/index.js';
import { issueVariant } from '../../catalogue/evaluate.js';
import { authorizeCourse } from '../../authz/index.js';
import { courseParams, errors, pageInfo, pageQuery, urlInt } from '../schemas.js';
import { partOut } from '../practice/schemas.js';

const templateItem = z.object({
  id: z.string(),
  title: z.string(),
  topic: z.string(),
  tags: z.array(z.string()),
  difficulty: z.number().int(),
  source: z.enum(['builtin', 'course']).describe("'course': the course's own template (shadowing a built-in of its id, if any)"),
});

const listQuery = pageQuery.extend({
  topic: z.string().max(80).optional(),
  tag: z.string().max(80).optional(),
  difficulty: urlInt(1, 5).optional(),
});

/** A variant as staff preview it: with its parameters, answers and solution. */
export const previewOut = z.object({
  templateId: z.string(),
  version: z.number().int(),
  seed: z.number().int(),
  title: z.string(),
  prompt: z.string(),
  parts: z.array(partOut),
  params: z.record(z.string(), z.unknown()),
  answers: z.record(z.string(), z.unknown()),
  solution: z.string(),
});

const catalogueRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/courses/:courseId/templates',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Templates this course can use (filter by topic, tag, difficulty)',
        params: courseParams,
        querystring: listQuery,
        response: { 200: z.object({ items: z.array(templateItem) }).extend(pageInfo.shape), ...errors },
      },
    },
    async (request) => {
      const course = await authorizeCourse(app.prisma, request.principal, request.params.courseId);
      const { page, pageSize, topic, tag, difficulty } = request.query;
      // What the course sees: the built-ins and its own published templates (no other course's).
      const visible = (await app.catalogue.of(course.courseId))
        .all()
        .filter((t) => (!topic || t.topic === topic) && (!tag || t.tags.includes(tag)) && (!difficulty || t.difficulty === difficulty))
        .sort((a, b) => (a.topic === b.topic ? (a.slug < b.slug ? -1 : 1) : a.topic < b.topic ? -1 : 1));
      const items = visible.slice((page - 1) * pageSize, page * pageSize).map((t) => ({
        id: t.slug,
        title: t.title,
        topic: t.topic,
        tags: t.tags,
        difficulty: t.difficulty,
        source: t.courseId ? ('course' as const) : ('builtin' as const),
      }));
      return { items, page, pageSize, total: visible.length };
    },
  );

  app.get(
    '/courses/:courseId/templates/:templateId/preview',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Staff: one variant of a template with parameters, answers and solution',
        params: courseParams.extend({ templateId: z.string().min(1).max(80) }),
        querystring: z.strictObject({ seed: urlInt(0, MAX_SEED).default(1) }),
        response: { 200: previewOut, ...errors },
      },
    },
    async (request) => {
      const course = await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'staff');
      const loaded = await app.catalogue.current(course.courseId, request.params.templateId);
      const v = await issueVariant(app, loaded, request.query.seed);
      return previewBody(loaded.templateId, loaded.version, v);
    },
  );
};

/** previewBody(templateId, version, variant): the previewOut of a variant. */
export function previewBody(templateId: string, version: number, v: Variant): z.output<typeof previewOut> {
  return {
    templateId,
    version,
    seed: v.seed,
    title: v.public.title,
    prompt: v.public.prompt,
    parts: v.public.parts,
    params: v.secret.params,
    answers: v.secret.answers,
    solution: v.secret.solution,
  };
}
export default catalogueRoutes;
