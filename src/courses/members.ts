/**
 * Course membership: staff read the roster; instructors add people, change roles and remove
 * them; anyone may leave. A course always keeps at least one INSTRUCTOR.
 */
import type { CourseRole, Prisma } from '../generated/prisma/client.js';
import type { PrismaClient } from '../db/client.js';
import type { CourseRef } from '../authz/index.js';
import { conflict, forbidden, notFound } from '../errors.js';
import type { Page, PageRequest } from './courses.js';
import { isUniqueViolation } from '../db/errors.js';
import { addMembership, removeMembership, setMembershipRole } from '../repos/memberships.js';

export interface MemberView {
  userId: string;
  email: string;
  name: string;
  role: CourseRole;
  joinedAt: Date;
}

type MembershipWithUser = { userId: string; role: CourseRole; createdAt: Date; user: { email: string; name: string } };

function view(m: MembershipWithUser): MemberView {
  return { userId: m.userId, email: m.user.email, name: m.user.name, role: m.role, joinedAt: m.createdAt };
}

const withUser = { user: { select: { email: true, name: true } } } as const;

/** listMembers(prisma, course (staff), {page, pageSize, role?}): the roster, instructors first. */
export async function listMembers(prisma: PrismaClient, { courseId }: CourseRef, req: PageRequest & { role?: CourseRole }): Promise<Page<MemberView>> {
  const where: Prisma.MembershipWhereInput = { courseId, ...(req.role ? { role: req.role } : {}) };
  const [rows, total] = await Promise.all([
    prisma.membership.findMany({
      where,
      include: withUser,
      // The enum sorts in declaration order, so descending puts INSTRUCTOR first.
      orderBy: [{ role: 'desc' }, { user: { email: 'asc' } }, { userId: 'asc' }],
      skip: (req.page - 1) * req.pageSize,
      take: req.pageSize,
    }),
    prisma.membership.count({ where }),
  ]);
  return { items: rows.map(view), page: req.page, pageSize: req.pageSize, total };
}

/** addMember(prisma, course (instructor), {email, role}): enrols an existing user. */
export async function addMember(prisma: PrismaClient, { courseId }: CourseRef, input: { email: string; role: CourseRole }): Promise<MemberView> {
  const user = await prisma.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (!user) throw notFound('user');
  try {
    const m = await addMembership(prisma, { courseId, userId: user.id, role: input.role }, 'staff');
    return view(m);
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('ALREADY_MEMBER', 'this user is already a member of the course');
    throw err;
  }
}

/**
 * Runs fn in a transaction that holds the course row's lock, so that membership changes in
 * one course are serialised: two instructors demoting each other at once cannot both pass
 * the "someone else still teaches" check and leave the course without an instructor. The
 * caller's own role is read again under the lock, since it may have changed since it was
 * authorised (a demoted instructor's in-flight request must not go through).
 */
async function withCourseLock<T>(
  prisma: PrismaClient,
  course: CourseRef,
  needInstructor: boolean,
  fn: (tx: Prisma.TransactionClient) => Promise<T>,
): Promise<T> {
  const { courseId, principal } = course;
  return prisma.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "Course" WHERE "id" = ${courseId}::uuid FOR UPDATE`;
    if (!locked.length) throw notFound('course');
    if (!principal.admin) {
      const me = await tx.membership.findUnique({ where: { userId_courseId: { userId: principal.userId, courseId } }, select: { role: true } });
      if (!me) throw notFound('course');
      if (needInstructor && me.role !== 'INSTRUCTOR') throw forbidden('this needs the role INSTRUCTOR in the course');
    }
    return fn(tx);
  });
}

async function assertAnotherInstructor(tx: Prisma.TransactionClient, courseId: string, userId: string): Promise<void> {
  const others = await tx.membership.count({ where: { courseId, role: 'INSTRUCTOR', userId: { not: userId } } });
  if (!others) throw conflict('LAST_INSTRUCTOR', 'a course must keep at least one instructor');
}

/** changeMemberRole(prisma, course (instructor), unsafeUserId, role): the last instructor stays. */
export async function changeMemberRole(prisma: PrismaClient, course: CourseRef, unsafeUserId: string, role: CourseRole): Promise<MemberView> {
  const { courseId } = course;
  return withCourseLock(prisma, course, true, async (tx) => {
    const key = { userId_courseId: { userId: unsafeUserId, courseId } };
    const current = await tx.membership.findUnique({ where: key, include: withUser });
    if (!current) throw notFound('member');
    if (current.role === role) return view(current);
    if (current.role === 'INSTRUCTOR') await assertAnotherInstructor(tx, courseId, current.userId);
    return view(await setMembershipRole(tx, { courseId, userId: current.userId }, current.role, role, 'staff'));
  });
}

/** leaving(course, unsafeUserId): the caller removes themselves (any member may; others need an instructor). */
export function leaving(course: Pick<CourseRef, 'principal'>, unsafeUserId: string): boolean {
  return unsafeUserId === course.principal.userId;
}

/**
 * removeMember(prisma, course, unsafeUserId): instructors remove anyone, any member removes
 * themselves (the route authorises the course accordingly); the last instructor stays.
 */
export async function removeMember(prisma: PrismaClient, course: CourseRef, unsafeUserId: string): Promise<void> {
  const { courseId } = course;
  await withCourseLock(prisma, course, !leaving(course, unsafeUserId), async (tx) => {
    const key = { userId_courseId: { userId: unsafeUserId, courseId } };
    const current = await tx.membership.findUnique({ where: key, select: { role: true } });
    if (!current) throw notFound('member');
    if (current.role === 'INSTRUCTOR') await assertAnotherInstructor(tx, courseId, unsafeUserId);
    await removeMembership(tx, { courseId, userId: unsafeUserId }, current.role, leaving(course, unsafeUserId) ? 'self' : 'staff');
  });
}
