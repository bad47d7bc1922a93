/** What the browser suites start from: an instructor, a student, a course, and a published exam with a number, a matrix and a choice question. */
import type { FastifyInstance } from 'fastify';
import { createCourse, createUser, type TestUser } from '../helpers/app.js';

export interface World {
  instructor: TestUser;
  student: TestUser;
  course: { id: string; code: string };
  examId: string;
}

export const EXAM_TEMPLATES = ['conv-output-size', 'batchnorm-forward-matrix', 'activation-saturation-choice'] as const;

export async function seedWorld(app: FastifyInstance): Promise<World> {
  const instructor = await createUser(app, { name: 'Ines Instructor' });
  const student = await createUser(app, { name: 'Sam Student' });
  const course = await createCourse(app, [
    [instructor, 'INSTRUCTOR'],
    [student, 'STUDENT'],
  ]);
  const created = await app.inject({
    method: 'POST',
    url: `/api/v1/courses/${course.id}/exams`,
    headers: instructor.auth,
    payload: {
      title: 'Midterm practice exam',
      blueprint: {
        sections: EXAM_TEMPLATES.map((t) => ({ count: 1, points: 4, pool: { templates: [t] } })),
        policies: { timeLimitMinutes: 30, triesPerQuestion: 2, gradeDuringAttempt: true, release: 'after-attempt' },
      },
    },
  });
  if (created.statusCode !== 201) throw new Error(`exam not created: ${created.body}`);
  const examId = created.json<{ id: string }>().id;
  const published = await app.inject({ method: 'POST', url: `/api/v1/exams/${examId}/publish`, headers: instructor.auth });
  if (published.statusCode !== 200) throw new Error(`exam not published: ${published.body}`);
  return { instructor, student, course, examId };
}

/** The correct answers of an attempt's question (read from the database, as only a test may). */
export async function answersOf(app: FastifyInstance, attemptId: string, position: number): Promise<Record<string, unknown>> {
  const q = await app.prisma.attemptQuestion.findFirstOrThrow({
    where: { attemptId, position },
    include: { variants: { orderBy: { createdAt: 'desc' }, take: 1 } },
  });
  return q.variants[0].answers as Record<string, unknown>;
}
