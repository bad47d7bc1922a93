/**
 * Authorisation of course ids that come from clients. A caller who is not a member learns
 * nothing: the course is "not found" rather than forbidden, so ids cannot be probed.
 */
import type { CourseRole } from '../generated/prisma/client.js';
import type { PrismaClient } from '../db/client.js';
import type { AccessClaims } from '../plugins/auth.js';
import { forbidden, notFound } from '../errors.js';

export type { CourseRole };
export const STAFF: readonly CourseRole[] = ['TA', 'INSTRUCTOR'];
export const INSTRUCTORS: readonly CourseRole[] = ['INSTRUCTOR'];

export interface CourseAccess {
  courseId: string;
  /** The caller's role; administrators who are not members act as instructors. */
  role: CourseRole;
  isAdmin: boolean;
}

/** roleOf(memberRole, user): the caller's role in a course that exists; administrators who are not members act as instructors. */
export function roleOf(memberRole: CourseRole | null | undefined, user: AccessClaims): CourseRole | undefined {
  return memberRole ?? (user.adm ? 'INSTRUCTOR' : undefined);
}

/** courseAccess(prisma, user, unsafeCourseId, allowed?): the caller's role in the course, or 404/403. */
export async function courseAccess(
  prisma: PrismaClient,
  user: AccessClaims,
  unsafeCourseId: string,
  allowed?: readonly CourseRole[],
): Promise<CourseAccess> {
  const m = await prisma.membership.findUnique({
    where: { userId_courseId: { userId: user.sub, courseId: unsafeCourseId } },
    select: { role: true },
  });
  const role = roleOf(m?.role, user);
  if (!role) throw notFound('course');
  if (!m && !(await prisma.course.count({ where: { id: unsafeCourseId } }))) throw notFound('course');
  if (allowed && !allowed.includes(role)) throw forbidden(`this needs the role ${allowed.join(' or ')} in the course`);
  return { courseId: unsafeCourseId, role, isAdmin: user.adm };
}
