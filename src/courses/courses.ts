/**
 * Courses as their members see them: creating one, listing mine, reading one with my role.
 */
import { addMembership } from '../repos/memberships.js';
import { randomInt } from 'node:crypto';
import type { CourseRole } from '../generated/prisma/client.js';
import type { PrismaClient } from '../db/client.js';
import type { CourseRef, UserPrincipal } from '../authz/index.js';
import { conflict, forbidden } from '../errors.js';
import { isUniqueViolation } from '../db/errors.js';

export interface CourseView {
  id: string;
  title: string;
  code: string;
  createdAt: Date;
  /** The caller's role in the course. */
  role: CourseRole;
}

export interface PageRequest {
  page: number;
  pageSize: number;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

/** Prisma's unique-constraint violation. */

const SUFFIX_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A code made from the title plus a random suffix, e.g. "deep-learning-x7k2qm". */
export function generateCourseCode(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '') // accents, once decomposed
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24)
    .replace(/-+$/, '');
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return `${slug || 'course'}-${suffix}`;
}

/**
 * createCourse(prisma, caller, {title, code?}): a new course with the caller as INSTRUCTOR.
 * Only administrators and people who already teach a course may create one, so that any
 * registered student cannot open courses of their own.
 */
export async function createCourse(prisma: PrismaClient, caller: UserPrincipal, input: { title: string; code?: string }): Promise<CourseView> {
  if (!caller.admin) {
    const teaches = await prisma.membership.count({ where: { userId: caller.userId, role: 'INSTRUCTOR' } });
    if (!teaches) throw forbidden('only administrators and instructors can create courses');
  }
  // A chosen code that is taken is the client's conflict; a generated one is retried.
  const attempts = input.code ? 1 : 3;
  for (let attempt = 1; ; attempt++) {
    const code = input.code ?? generateCourseCode(input.title);
    try {
      const course = await prisma.$transaction(async (tx) => {
        const c = await tx.course.create({ data: { title: input.title, code } });
        await addMembership(tx, { courseId: c.id, userId: caller.userId, role: 'INSTRUCTOR' }, 'course-created');
        return c;
      });
      return { id: course.id, title: course.title, code: course.code, createdAt: course.createdAt, role: 'INSTRUCTOR' };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (attempt >= attempts) throw conflict('COURSE_CODE_TAKEN', `the course code "${code}" is already in use`);
    }
  }
}

/** listMyCourses(prisma, caller, page): the courses the caller is a member of, newest membership first. */
export async function listMyCourses(prisma: PrismaClient, caller: UserPrincipal, req: PageRequest): Promise<Page<CourseView>> {
  const where = { userId: caller.userId };
  const [rows, total] = await Promise.all([
    prisma.membership.findMany({
      where,
      include: { course: true },
      orderBy: [{ createdAt: 'desc' }, { courseId: 'asc' }],
      skip: (req.page - 1) * req.pageSize,
      take: req.pageSize,
    }),
    prisma.membership.count({ where }),
  ]);
  return {
    items: rows.map((m) => ({ id: m.course.id, title: m.course.title, code: m.course.code, createdAt: m.course.createdAt, role: m.role })),
    page: req.page,
    pageSize: req.pageSize,
    total,
  };
}

/** getCourse(prisma, course): the course and the caller's role. */
export async function getCourse(prisma: PrismaClient, access: CourseRef): Promise<CourseView> {
  const course = await prisma.course.findUniqueOrThrow({ where: { id: access.courseId } });
  return { id: course.id, title: course.title, code: course.code, createdAt: course.createdAt, role: access.role };
}
