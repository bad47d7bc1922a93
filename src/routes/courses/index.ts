/** Courses: create one, list mine, read one with my role. */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { createCourse, getCourse, listMyCourses } from '../../courses/courses.js';
import { authorizeCourse } from '../../authz/index.js';
import { courseParams, errors, pageInfo, pageQuery } from '../schemas.js';

export const courseRole = z.enum(['STUDENT', 'TA', 'INSTRUCTOR']);

/** A course without the caller's role (as in join responses). */
export const courseBase = z.object({ id: z.uuid(), title: z.string(), code: z.string(), createdAt: z.date() });
export const courseView = courseBase.extend({ role: courseRole });

export const courseCode = z.string().regex(/^[A-Za-z0-9_-]{2,40}$/, { message: 'must be 2 to 40 letters, digits, "-" or "_"' });

const createBody = z.strictObject({
  title: z.string().trim().min(1).max(200),
  code: courseCode.optional(),
});

const tags = ['courses'];

const courseRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/courses',
    {
      schema: {
        tags,
        summary: 'Create a course (administrators and instructors); the creator becomes its INSTRUCTOR',
        body: createBody,
        response: { 201: courseView, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(await createCourse(app.prisma, request.principal, request.body)),
  );

  app.get(
    '/courses',
    {
      schema: {
        tags,
        summary: 'The courses I am a member of, with my role',
        querystring: pageQuery,
        response: { 200: pageInfo.extend({ items: z.array(courseView) }), ...errors },
      },
    },
    async (request) => listMyCourses(app.prisma, request.principal, request.query),
  );

  app.get(
    '/courses/:courseId',
    {
      schema: {
        tags,
        summary: 'A course and my role in it (members only)',
        params: courseParams,
        response: { 200: courseView, ...errors },
      },
    },
    async (request) => getCourse(app.prisma, await authorizeCourse(app.prisma, request.principal, request.params.courseId)),
  );
};
export default courseRoutes;
