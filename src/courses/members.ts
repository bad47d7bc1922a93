/**
 * Course membership: staff read the roster; instructors add people, change roles and remove
 * them; anyone may leave. A course always keeps at least one INSTRUCTOR.
 */
import type { CourseRole, Prisma } from '../generated/prisma/client.js';
import type { PrismaClient } from '../db/client.js';
import type { AccessClaims } from '../plugins/auth.js';
import { conflict, forbidden, notFound } from '../errors.js';
import { courseAccess, INSTRUCTORS, STAFF } from './access.js';
import type { Page, PageRequest } from './courses.js';
import { isUniqueViolation } from '../db/errors.js';

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

/** listMembers(prisma, caller, unsafeCourseId, {page, pageSize, role?}): the roster, instructors first (staff only). */
export async function listMembers(
  prisma: PrismaClient,
  caller: AccessClaims,
  unsafeCourseId: string,
  req: PageRequest & { role?: CourseRole },
): Promise<Page<MemberView>> {
  const { courseId } = await courseAccess(prisma, caller, unsafeCourseId, STAFF);
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

/** addMember(prisma, caller, unsafeCourseId, {email, role}): enrols an existing user (instructors only). */
export async function addMember(
  prisma: PrismaClient,
  caller: AccessClaims,
  unsafeCourseId: string,
  input: { email: string; role: CourseRole },
): Promise<MemberView> {
  const { courseId } = await courseAccess(prisma, caller, unsafeCourseId, INSTRUCTORS);
  const user = await prisma.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (!user) throw notFound('user');
  try {
    const m = await prisma.membership.create({ data: { courseId, userId: user.id, role: input.role }, include: withUser });
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
 * caller's own role is read again under the lock, since it may have changed since
 * courseAccess (a demoted instructor's in-flight request must not go through).
 */
async function withCourseLock<T>(
  prisma: PrismaClient,
  caller: AccessClaims,
  courseId: string,
  needInstructor: boolean,
  fn: (tx: Prisma.TransactionClient) => Promise<T>,
): Promise<T> {
  return prisma.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "Course" WHERE "id" = ${courseId}::uuid FOR UPDATE`;
    if (!locked.length) throw notFound('course');
    if (!caller.adm) {
      const me = await tx.membership.findUnique({ where: { userId_courseId: { userId: caller.sub, courseId } }, select: { role: true } });
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

/** changeMemberRole(prisma, caller, unsafeCourseId, unsafeUserId, role): instructors only; the last instructor stays. */
export async function changeMemberRole(
  prisma: PrismaClient,
  caller: AccessClaims,
  unsafeCourseId: string,
  unsafeUserId: string,
  role: CourseRole,
): Promise<MemberView> {
  const { courseId } = await courseAccess(prisma, caller, unsafeCourseId, INSTRUCTORS);
  return withCourseLock(prisma, caller, courseId, true, async (tx) => {
    const key = { userId_courseId: { userId: unsafeUserId, courseId } };
    const current = await tx.membership.findUnique({ where: key, include: withUser });
    if (!current) throw notFound('member');
    if (current.role === role) return view(current);
    if (current.role === 'INSTRUCTOR') await assertAnotherInstructor(tx, courseId, current.userId);
    return view(await tx.membership.update({ where: key, data: { role }, include: withUser }));
  });
}

/**
 * removeMember(prisma, caller, unsafeCourseId, unsafeUserId): instructors remove anyone, any
 * member removes themselves; the last instructor cannot be removed.
 */
export async function removeMember(
  prisma: PrismaClient,
  caller: AccessClaims,
  unsafeCourseId: string,
  unsafeUserId: string,
): Promise<void> {
  const leaving = unsafeUserId === caller.sub;
  const { courseId } = await courseAccess(prisma, caller, unsafeCourseId, leaving ? undefined : INSTRUCTORS);
  await withCourseLock(prisma, caller, courseId, !leaving, async (tx) => {
    const key = { userId_courseId: { userId: unsafeUserId, courseId } };
    const current = await tx.membership.findUnique({ where: key, select: { role: true } });
    if (!current) throw notFound('member');
    if (current.role === 'INSTRUCTOR') await assertAnotherInstructor(tx, courseId, unsafeUserId);
    await tx.membership.delete({ where: key });
  });
}
