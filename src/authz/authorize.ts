/**
 * The authoriser: the one place where an id that came from a client becomes an authorised
 * reference for an action. Domain code takes these references (CourseRef, ExamRef, AttemptRef,
 * VariantRef), never raw ids. Someone outside a course learns nothing: the course, exam,
 * attempt or variant is "not found" rather than forbidden, so ids cannot be probed; a member
 * without the role an action needs gets 403.
 *
 * References carry a key only this module can write ([AUTHORISED]), so they cannot be made up
 * elsewhere. The hot statements that read a role together with their rows (attempt reads,
 * tries, autosave, practice batches) decide with the same rules (rules.ts) through sql.ts.
 */
import { Prisma, type Exam } from '../generated/prisma/client.js';
import type { RawQuery } from '../db/raw.js';
import { roleIn, roleOfColumn } from './sql.js';
import type { PrismaClient } from '../db/client.js';
import { forbidden, notFound } from '../errors.js';
import { blueprintFromJson, type Blueprint } from '../exams/blueprint.js';
import type { Principal, UserPrincipal } from './principal.js';
import {
  attemptDecision,
  courseRoleOf,
  hiddenFrom,
  roleOf,
  rolesFor,
  type AttemptAction,
  type CourseNeed,
  type CourseRole,
  type VariantContext,
} from './rules.js';

const AUTHORISED: unique symbol = Symbol('authorised');

/**
 * References are generic in their principal: domain code that takes a plain CourseRef or
 * ExamRef acts for a signed-in user (UserPrincipal); code an API key may reach says so with
 * CourseRef<Principal>, so the compiler keeps a key out of everything else.
 */
export interface CourseRef<P extends Principal = UserPrincipal> {
  readonly [AUTHORISED]: true;
  readonly principal: P;
  readonly courseId: string;
  /** The caller's role; administrators who are not members act as instructors. */
  readonly role: CourseRole;
}

export interface ExamRef<P extends Principal = UserPrincipal> {
  readonly [AUTHORISED]: true;
  readonly course: CourseRef<P>;
  readonly exam: Exam;
  readonly blueprint: Blueprint;
}

export interface AttemptRef {
  readonly [AUTHORISED]: true;
  readonly principal: UserPrincipal;
  readonly attemptId: string;
  readonly ownerId: string;
  readonly examId: string;
  readonly courseId: string;
  /** The caller reads it as its owner or as course staff. */
  readonly as: 'owner' | 'staff';
}

export interface VariantRef {
  readonly [AUTHORISED]: true;
  readonly principal: UserPrincipal;
  readonly variantId: string;
  readonly context: VariantContext;
  readonly as: 'owner' | 'staff';
}

const needMessage = (need: CourseNeed) => `this needs the role ${need === 'staff' ? 'TA or INSTRUCTOR' : 'INSTRUCTOR'} in the course`;

/** courseRef(principal, courseId, memberRole, need): the decision on a role read elsewhere (a hot statement); throws 404/403. */
export function courseRef<P extends Principal>(
  p: P,
  courseId: string,
  memberRole: CourseRole | null | undefined,
  need: CourseNeed = 'member',
  what = 'course',
): CourseRef<P> {
  const role = courseRoleOf(memberRole, p, courseId);
  if (!role) throw notFound(what);
  const roles = rolesFor(need);
  if (roles && !roles.includes(role)) throw forbidden(needMessage(need));
  return { [AUTHORISED]: true, principal: p, courseId, role };
}

/** authorizeCourse(prisma, principal, unsafeCourseId, need): the caller's reference to the course, or 404/403. */
/** The caller's membership rows of a course, for a Prisma include (an API key has none: its role comes from courseRoleOf). */
function callerMembership(p: Principal) {
  return { where: { userId: p.kind === 'user' ? p.userId : NO_USER }, select: { role: true } };
}
const NO_USER = '00000000-0000-0000-0000-000000000000';

export async function authorizeCourse<P extends Principal>(
  prisma: PrismaClient,
  p: P,
  unsafeCourseId: string,
  need: CourseNeed = 'member',
): Promise<CourseRef<P>> {
  // An API key never learns whether another course exists.
  if (p.kind === 'key' && p.courseId !== unsafeCourseId) throw notFound('course');
  const course = await prisma.course.findUnique({
    where: { id: unsafeCourseId },
    select: { id: true, memberships: callerMembership(p) },
  });
  if (!course) throw notFound('course');
  return courseRef(p, course.id, course.memberships[0]?.role, need);
}

/**
 * authorizeExam(prisma, principal, unsafeExamId, need): the exam, its blueprint and the
 * caller's course reference. 404 when the exam does not exist, the caller is not in its
 * course, or the caller is a student and the exam is a draft; 403 without the needed role.
 */
export async function authorizeExam<P extends Principal>(prisma: PrismaClient, p: P, unsafeExamId: string, need: CourseNeed = 'member'): Promise<ExamRef<P>> {
  const exam = await prisma.exam.findUnique({
    where: { id: unsafeExamId },
    include: { course: { select: { memberships: callerMembership(p) } } },
  });
  if (!exam) throw notFound('exam');
  const { course, ...row } = exam;
  const role = courseRoleOf(course.memberships[0]?.role, p, row.courseId);
  // "course not found" would tell the caller that the exam exists.
  if (!role || hiddenFrom(role, row.status)) throw notFound('exam');
  return { [AUTHORISED]: true, course: courseRef(p, row.courseId, role, need), exam: row, blueprint: blueprintFromJson(row.blueprint) };
}

/** attemptRef(principal, row, action): the decision on an attempt row read with the caller's role (hot statements); throws 404/403. */
export function attemptRef(
  p: UserPrincipal,
  row: { id: string; userId: string; examId: string; courseId: string; callerRole: CourseRole | null },
  action: AttemptAction,
): AttemptRef {
  const d = attemptDecision(p, row.userId, roleOf(row.callerRole, p), action);
  if (!d) throw notFound('attempt');
  if (d === 'forbidden') throw forbidden(needMessage(action === 'instructor' ? 'instructor' : 'staff'));
  return { [AUTHORISED]: true, principal: p, attemptId: row.id, ownerId: row.userId, examId: row.examId, courseId: row.courseId, as: d };
}

/** authorizeAttempt(prisma, principal, unsafeAttemptId, action): the caller's reference to the attempt, or 404/403. */
export async function authorizeAttempt(prisma: PrismaClient, p: UserPrincipal, unsafeAttemptId: string, action: AttemptAction): Promise<AttemptRef> {
  const a = await prisma.attempt.findUnique({
    where: { id: unsafeAttemptId },
    select: {
      id: true,
      userId: true,
      examId: true,
      exam: { select: { courseId: true, course: { select: { memberships: { where: { userId: p.userId }, select: { role: true } } } } } },
    },
  });
  if (!a) throw notFound('attempt');
  return attemptRef(
    p,
    { id: a.id, userId: a.userId, examId: a.examId, courseId: a.exam.courseId, callerRole: a.exam.course.memberships[0]?.role ?? null },
    action,
  );
}

type VariantRow = { id: string; userId: string; context: VariantContext; ownerRole: CourseRole | null; callerRole: CourseRole | null };

/**
 * variantAccess(principal, row, context, write): 'owner', 'staff' or undefined (not found).
 * The practice routes reach practice variants only; an exam variant is reached only through its
 * attempt. Its owner (while still in the course) reads and answers it; course staff read it.
 * Anyone else, and a variant of the other context, finds nothing.
 */
export function variantAccess(p: UserPrincipal, row: VariantRow, context: VariantContext, write: boolean): 'owner' | 'staff' | undefined {
  if (row.context !== context) return undefined;
  const own = row.userId === p.userId;
  if (own && roleOf(row.ownerRole, p)) return 'owner';
  const role = roleOf(row.callerRole, p);
  if (!write && !own && (role === 'TA' || role === 'INSTRUCTOR')) return 'staff';
  return undefined;
}

/** variantRef(principal, row, context, write): the reference variantAccess allows, or 404. */
export function variantRef(p: UserPrincipal, row: VariantRow, context: VariantContext, write: boolean): VariantRef {
  const as = variantAccess(p, row, context, write);
  if (!as) throw notFound('variant');
  return { [AUTHORISED]: true, principal: p, variantId: row.id, context, as };
}

/** authorizeVariant(db, principal, unsafeVariantId, context): a reference for reading the variant, or 404. One statement. */
export async function authorizeVariant(db: { sql: RawQuery }, p: UserPrincipal, unsafeVariantId: string, context: VariantContext): Promise<VariantRef> {
  const [v] = await db.sql.query<{
    id: string;
    userId: string;
    context: VariantContext;
    ownerRole: CourseRole | null;
    callerRole: CourseRole | null;
  }>(Prisma.sql`
    SELECT v.id::text AS id, v."userId"::text AS "userId", v.context::text AS context,
           ${roleOfColumn('v."userId"', 'v."courseId"')} AS "ownerRole", ${roleIn(p.userId, 'v."courseId"')} AS "callerRole"
    FROM "Variant" v WHERE v.id = ${unsafeVariantId}::uuid`);
  if (!v) throw notFound('variant');
  return variantRef(p, v, context, false);
}

/** requireAdmin(principal): site-wide settings (LTI registrations) are for administrators only; 403 otherwise. */
export function requireAdmin(p: Principal): void {
  if (!p.admin) throw forbidden('this needs a site administrator');
}
