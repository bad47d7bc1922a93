/** Exams: authoring drafts, the lifecycle (publish, archive, copy), and per-student overrides. */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import {
  archiveExam,
  copyExam,
  createExam,
  deleteOverride,
  getExam,
  listExams,
  listOverrides,
  publishExam,
  putOverride,
  updateExam,
} from '../../exams/exams.js';
import { blueprintSchema, policiesSchema, sectionSchema } from '../../exams/blueprint.js';
import { authorizeCourse, authorizeExam } from '../../authz/index.js';
import { courseParams, errors, noContent, pageInfo, pageQuery, uuid } from '../schemas.js';

export const examStatus = z.enum(['DRAFT', 'PUBLISHED', 'ARCHIVED']);

export const examView = z.object({
  id: z.uuid(),
  courseId: z.uuid(),
  title: z.string(),
  status: examStatus,
  /** Students see sections without their pools. */
  blueprint: z.object({ sections: z.array(sectionSchema.extend({ pool: sectionSchema.shape.pool.optional() })), policies: policiesSchema }),
  createdAt: z.date(),
  updatedAt: z.date(),
  publishedAt: z.date().nullable(),
  copiedFromId: z.uuid().nullable(),
});

const overrideView = z.object({
  examId: z.uuid(),
  userId: z.uuid(),
  extraMinutes: z.number().int(),
  closesAt: z.date().nullable(),
  extraAttempts: z.number().int(),
  createdAt: z.date(),
});

const title = z.string().trim().min(1).max(200);
const examParams = z.strictObject({ examId: uuid });
const overrideParams = z.strictObject({ examId: uuid, userId: uuid });

const createBody = z.strictObject({ title, blueprint: blueprintSchema });
const patchBody = z
  .strictObject({ title: title.optional(), blueprint: blueprintSchema.optional() })
  .refine((b) => b.title !== undefined || b.blueprint !== undefined, { message: 'give a title, a blueprint, or both' });
const overrideBody = z.strictObject({
  extraMinutes: z.number().int().min(0).max(10_080).default(0),
  closesAt: z.iso.datetime({ offset: true, message: 'must be an ISO date-time' }).nullable().optional(),
  extraAttempts: z.number().int().min(0).max(100).default(0),
});

const tags = ['exams'];

const examRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/courses/:courseId/exams',
    {
      schema: {
        tags,
        summary: 'Create a draft exam from a blueprint (instructors)',
        params: courseParams,
        body: createBody,
        response: { 201: examView, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await createExam(
            app.prisma,
            app.catalogue,
            await authorizeCourse(app.prisma, request.principal, request.params.courseId, 'instructor'),
            request.body,
          ),
        ),
  );

  app.get(
    '/courses/:courseId/exams',
    {
      config: { apiKeyScope: 'exams:read' },
      schema: {
        tags,
        summary: "The course's exams, newest first (members; students see published and archived exams)",
        params: courseParams,
        querystring: pageQuery.extend({ status: examStatus.optional() }),
        response: { 200: pageInfo.extend({ items: z.array(examView) }), ...errors },
      },
    },
    async (request) => listExams(app.prisma, await authorizeCourse(app.prisma, request.caller, request.params.courseId), request.query),
  );

  app.get(
    '/exams/:examId',
    {
      config: { apiKeyScope: 'exams:read' },
      schema: {
        tags,
        summary: 'An exam (members of its course; students: not drafts)',
        params: examParams,
        response: { 200: examView, ...errors },
      },
    },
    async (request) => getExam(await authorizeExam(app.prisma, request.caller, request.params.examId)),
  );

  app.patch(
    '/exams/:examId',
    {
      schema: {
        tags,
        summary: 'Edit a draft: title and/or the whole blueprint (instructors; 409 EXAM_FROZEN once published)',
        params: examParams,
        body: patchBody,
        response: { 200: examView, ...errors },
      },
    },
    async (request) => {
      const ref = await authorizeExam(app.prisma, request.principal, request.params.examId, 'instructor');
      const updated = await updateExam(app.prisma, app.catalogue, ref, request.body);
      app.practiceLocks.invalidate(ref.course.courseId);
      return updated;
    },
  );

  app.post(
    '/exams/:examId/publish',
    {
      schema: {
        tags,
        summary: 'Publish a draft after checking its pools can fill every section (instructors); the blueprint is then frozen',
        params: examParams,
        response: { 200: examView, ...errors },
      },
    },
    async (request) => {
      const ref = await authorizeExam(app.prisma, request.principal, request.params.examId, 'instructor');
      const published = await publishExam(app.prisma, app.catalogue, ref, app.now());
      app.practiceLocks.invalidate(ref.course.courseId);
      return published;
    },
  );

  app.post(
    '/exams/:examId/archive',
    {
      schema: {
        tags,
        summary: 'Archive a published exam: no new attempts (instructors)',
        params: examParams,
        response: { 200: examView, ...errors },
      },
    },
    async (request) => {
      const ref = await authorizeExam(app.prisma, request.principal, request.params.examId, 'instructor');
      const archived = await archiveExam(app.prisma, ref);
      app.practiceLocks.invalidate(ref.course.courseId);
      return archived;
    },
  );

  app.post(
    '/exams/:examId/copy',
    {
      schema: {
        tags,
        summary: 'Copy an exam into a new draft with the same blueprint (instructors)',
        params: examParams,
        response: { 201: examView, ...errors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await copyExam(app.prisma, await authorizeExam(app.prisma, request.principal, request.params.examId, 'instructor'))),
  );

  app.get(
    '/exams/:examId/overrides',
    {
      config: { apiKeyScope: 'exams:read' },
      schema: {
        tags,
        summary: "The exam's per-student overrides (TAs and instructors)",
        params: examParams,
        querystring: pageQuery,
        response: { 200: pageInfo.extend({ items: z.array(overrideView) }), ...errors },
      },
    },
    async (request) => listOverrides(app.prisma, await authorizeExam(app.prisma, request.caller, request.params.examId, 'staff'), request.query),
  );

  app.put(
    '/exams/:examId/overrides/:userId',
    {
      config: { apiKeyScope: 'exams:write' },
      schema: {
        tags,
        summary: "Set a course member's override: extra minutes, a later close, extra attempts (instructors)",
        params: overrideParams,
        body: overrideBody,
        response: { 200: overrideView, ...errors },
      },
    },
    async (request) => {
      const { extraMinutes, closesAt, extraAttempts } = request.body;
      return putOverride(app.prisma, await authorizeExam(app.prisma, request.caller, request.params.examId, 'instructor'), request.params.userId, {
        extraMinutes,
        closesAt: closesAt ? new Date(closesAt) : null,
        extraAttempts,
      });
    },
  );

  app.delete(
    '/exams/:examId/overrides/:userId',
    {
      config: { apiKeyScope: 'exams:write' },
      schema: {
        tags,
        summary: "Remove a member's override (instructors)",
        params: overrideParams,
        response: { 204: noContent, ...errors },
      },
    },
    async (request, reply) => {
      await deleteOverride(app.prisma, await authorizeExam(app.prisma, request.caller, request.params.examId, 'instructor'), request.params.userId);
      return reply.status(204).send(null);
    },
  );
};
export default examRoutes;
