/** The caller's practice variants in a course with their scores, newest first (exam variants never: they are reached through their attempts). */
import type { FastifyInstance } from 'fastify';
import type { CourseRef } from '../authz/index.js';

export async function practiceHistory(app: FastifyInstance, course: CourseRef, page: number, pageSize: number) {
  const where = { userId: course.principal.userId, courseId: course.courseId, context: 'PRACTICE' as const };
  const [total, rows] = await Promise.all([
    app.prisma.variant.count({ where }),
    app.prisma.variant.findMany({
      where,
      orderBy: { createdAt: 'desc' },
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: {
        id: true,
        createdAt: true,
        templateVersion: { select: { templateId: true, template: { select: { title: true, topic: true } } } },
        submissions: { select: { score: true, createdAt: true }, orderBy: { tryNumber: 'desc' }, take: 1 },
      },
    }),
  ]);
  return {
    items: rows.map((r) => ({
      variantId: r.id,
      templateId: r.templateVersion.templateId,
      title: r.templateVersion.template.title,
      topic: r.templateVersion.template.topic,
      createdAt: r.createdAt,
      score: r.submissions[0]?.score ?? null,
      submittedAt: r.submissions[0]?.createdAt ?? null,
    })),
    page,
    pageSize,
    total,
  };
}
