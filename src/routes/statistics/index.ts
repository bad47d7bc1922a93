/** Item statistics for staff: an exam's, and one template's across the course's exams. */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { authorizeCourse, authorizeExam } from '../../authz/index.js';
import { notFound } from '../../errors.js';
import { emptyTemplateStats, examStats, templateStats } from '../../stats/item-stats.js';
import { errors, uuid } from '../schemas.js';

const tags = ['statistics'];

const bin = z.object({ from: z.number(), to: z.number(), count: z.number().int() });
const templateStatsOut = z.object({
  templateId: z.string(),
  title: z.string().nullable(),
  items: z.number().int(),
  answered: z.number().int(),
  mean: z.number(),
  median: z.number(),
  difficulty: z.number(),
  discrimination: z.number().nullable(),
  meanSecondsToAnswer: z.number().nullable(),
  submissions: z.number().int(),
  formatErrors: z.number().int(),
  formatErrorShare: z.number(),
  histogram: z.array(bin),
  parts: z.array(
    z.object({
      id: z.string(),
      answered: z.number().int(),
      mean: z.number(),
      correct: z.number().int(),
      partial: z.number().int(),
      incorrect: z.number().int(),
      missing: z.number().int(),
      wrongAnswers: z.array(z.object({ answer: z.unknown(), count: z.number().int() })),
      mistakes: z.array(z.object({ id: z.string(), count: z.number().int() })),
    }),
  ),
  parameters: z.array(
    z.object({
      name: z.string(),
      groups: z.array(z.object({ value: z.number().optional(), from: z.number(), to: z.number(), n: z.number().int(), mean: z.number() })),
    }),
  ),
});

const DEFINITIONS =
  'Items are the questions of finished attempts; scores are fractions of the points (an override replaces what grading earned). ' +
  'difficulty = mean score (low is hard); discrimination = correlation of the item’s points with the rest of the attempt’s points; ' +
  'meanSecondsToAnswer = seconds from the attempt’s previous submission (or its start) to the first try; parts, from each item’s last try; ' +
  'wrong answers and mistakes, over every try; parameters: mean score per value of each numeric parameter (or per range when it takes more than 12 values).';

export default (async function statisticsRoutes(app) {
  app.get(
    '/exams/:examId/statistics',
    {
      schema: {
        tags,
        summary: "An exam's statistics: attempts, score distribution, and per template, part and parameter (staff)",
        description: DEFINITIONS,
        params: z.strictObject({ examId: uuid }),
        response: {
          200: z.object({
            examId: z.uuid(),
            attempts: z.number().int(),
            students: z.number().int(),
            mean: z.number().nullable(),
            median: z.number().nullable(),
            histogram: z.array(bin),
            templates: z.array(templateStatsOut),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const ref = await authorizeExam(app.prisma, request.principal, request.params.examId, 'staff');
      return examStats(app, ref.exam.id);
    },
  );

  app.get(
    '/courses/:courseId/statistics/templates/:templateId',
    {
      schema: {
        tags,
        summary: "One template's statistics across the course's exams (staff); the id as the course sees it (its own template's, else the built-in's)",
        description: DEFINITIONS,
        params: z.strictObject({
          courseId: uuid,
          templateId: z
            .string()
            .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a template id')
            .max(80),
        }),
        response: { 200: templateStatsOut, ...errors },
      },
    },
    async (request) => {
      const course = await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'staff');
      const slug = request.params.templateId;
      // The course's own template of this id (archived ones too: their items stay), else the built-in.
      const t = await app.prisma.problemTemplate.findFirst({
        where: { OR: [{ id: `${course.courseId}/${slug}` }, { id: slug, courseId: null }] },
        orderBy: { courseId: { sort: 'desc', nulls: 'last' } },
        select: { id: true, title: true },
      });
      if (!t) throw notFound(`template '${slug}'`);
      const [stats] = await templateStats(app, { courseId: course.courseId, templateId: t.id });
      return stats ?? emptyTemplateStats(t.id, t.title);
    },
  );
} satisfies FastifyPluginAsyncZod);
