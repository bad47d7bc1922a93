/**
 * The catalogue a course can use. Students see titles and topics only; staff can preview any
 * template by seed with its parameters, answers and solution.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { instantiate, MAX_SEED } from '../../engine/index.js';
import { authorizeCourse } from '../../authz/index.js';
import { courseParams, errors, pageInfo, pageQuery, urlInt } from '../schemas.js';
import { partOut } from '../practice/schemas.js';

const templateItem = z.object({
  id: z.string(),
  title: z.string(),
  topic: z.string(),
  tags: z.array(z.string()),
  difficulty: z.number().int(),
});

const listQuery = pageQuery.extend({
  topic: z.string().max(80).optional(),
  tag: z.string().max(80).optional(),
  difficulty: urlInt(1, 5).optional(),
});

const previewOut = z.object({
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
      await authorizeCourse(app.prisma, request.principal, request.params.courseId);
      const { page, pageSize, topic, tag, difficulty } = request.query;
      const where = {
        ...(topic ? { topic } : {}),
        ...(tag ? { tags: { has: tag } } : {}),
        ...(difficulty ? { difficulty } : {}),
      };
      const [total, items] = await Promise.all([
        app.prisma.problemTemplate.count({ where }),
        app.prisma.problemTemplate.findMany({ where, orderBy: [{ topic: 'asc' }, { id: 'asc' }], skip: (page - 1) * pageSize, take: pageSize }),
      ]);
      return { items, page, pageSize, total };
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
      const v = instantiate(loaded.compiled, request.query.seed);
      return {
        templateId: loaded.templateId,
        version: loaded.version,
        seed: v.seed,
        title: v.public.title,
        prompt: v.public.prompt,
        parts: v.public.parts,
        params: v.secret.params,
        answers: v.secret.answers,
        solution: v.secret.solution,
      };
    },
  );
};
export default catalogueRoutes;
