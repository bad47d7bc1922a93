/**
 * Invite codes: staff hand out short codes, people redeem them to join a course with the
 * code's role. A code that is unknown, revoked, expired or used up is refused with one and the
 * same error, so codes cannot be probed.
 */
import { addMembership } from '../repos/memberships.js';
import { inTransaction } from '../db/transaction.js';
import { randomInt } from 'node:crypto';
import type { CourseRole, InviteCode, Prisma } from '../generated/prisma/client.js';
import type { PrismaClient } from '../db/client.js';
import type { CourseRef, UserPrincipal } from '../authz/index.js';
import { AppError, conflict, forbidden, notFound } from '../errors.js';
import type { Page, PageRequest } from './courses.js';
import { isUniqueViolation } from '../db/errors.js';

/** Upper-case letters and digits without the look-alikes 0/O, 1/I/L. */
export const INVITE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const INVITE_LENGTH = 10;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface InviteView {
  code: string;
  role: CourseRole;
  maxUses: number | null;
  uses: number;
  expiresAt: Date | null;
  createdAt: Date;
}

export interface InviteListItem extends InviteView {
  revokedAt: Date | null;
}

export const inviteInvalid = () => new AppError(404, 'INVITE_INVALID', 'invite code is invalid, expired or used up');

/** generateInviteCode(): 10 crypto-random characters from INVITE_ALPHABET (about 49 bits). */
export function generateInviteCode(): string {
  let code = '';
  // randomInt is unbiased (rejection sampling), unlike randomBytes % 31.
  for (let i = 0; i < INVITE_LENGTH; i++) code += INVITE_ALPHABET[randomInt(INVITE_ALPHABET.length)];
  return code;
}

/** What people type: surrounding spaces and lower case are forgiven. */
export function normalizeInviteCode(input: string): string {
  return input.trim().toUpperCase();
}

function view(i: InviteCode): InviteView {
  return { code: i.code, role: i.role, maxUses: i.maxUses, uses: i.uses, expiresAt: i.expiresAt, createdAt: i.createdAt };
}

/**
 * createInvite(prisma, course (staff), {role, maxUses?, expiresInDays?}, now): instructors
 * create codes for any role; TAs only for STUDENT.
 */
export async function createInvite(
  prisma: PrismaClient,
  access: CourseRef,
  input: { role: CourseRole; maxUses?: number; expiresInDays?: number },
  now: Date,
): Promise<InviteView> {
  if (input.role !== 'STUDENT' && access.role !== 'INSTRUCTOR') throw forbidden('teaching assistants can only create STUDENT invites');
  const expiresAt = input.expiresInDays !== undefined ? new Date(now.getTime() + input.expiresInDays * DAY_MS) : null;
  // A collision among 31^10 codes is all but impossible; retrying costs nothing.
  for (let attempt = 1; ; attempt++) {
    try {
      const invite = await prisma.inviteCode.create({
        data: {
          code: generateInviteCode(),
          courseId: access.courseId,
          role: input.role,
          maxUses: input.maxUses ?? null,
          expiresAt,
          createdBy: access.principal.userId,
          createdAt: now,
        },
      });
      return view(invite);
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= 3) throw err;
    }
  }
}

/**
 * listInvites(prisma, caller, unsafeCourseId, page): the course's codes, newest first, revoked
 * ones included. TAs see only STUDENT codes: handing out a TA or INSTRUCTOR code would give
 * them powers they do not have.
 */
export async function listInvites(prisma: PrismaClient, access: CourseRef, req: PageRequest): Promise<Page<InviteListItem>> {
  const where: Prisma.InviteCodeWhereInput = { courseId: access.courseId, ...(access.role === 'INSTRUCTOR' ? {} : { role: 'STUDENT' }) };
  const [rows, total] = await Promise.all([
    prisma.inviteCode.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { code: 'asc' }],
      skip: (req.page - 1) * req.pageSize,
      take: req.pageSize,
    }),
    prisma.inviteCode.count({ where }),
  ]);
  return { items: rows.map((i) => ({ ...view(i), revokedAt: i.revokedAt })), page: req.page, pageSize: req.pageSize, total };
}

/** revokeInvite(prisma, course (instructor), unsafeCode, now): revoking twice keeps the first time. */
export async function revokeInvite(prisma: PrismaClient, { courseId }: CourseRef, unsafeCode: string, now: Date): Promise<void> {
  const code = normalizeInviteCode(unsafeCode);
  const { count } = await prisma.inviteCode.updateMany({ where: { code, courseId, revokedAt: null }, data: { revokedAt: now } });
  if (count) return;
  const exists = await prisma.inviteCode.count({ where: { code, courseId } });
  if (!exists) throw notFound('invite');
}

/**
 * redeemInvite(tx, code, userId, now): uses one redemption of the code and makes the user a
 * member with the code's role. The check and the increment are one conditional UPDATE, so of
 * two concurrent redemptions of the last use only one matches the row; the membership is
 * created in the same transaction (the caller's, or one opened here), so a failure leaves the
 * count untouched. Throws 404 INVITE_INVALID, or 409 ALREADY_MEMBER.
 */
export async function redeemInvite(
  tx: Prisma.TransactionClient | PrismaClient,
  code: string,
  userId: string,
  now: Date,
): Promise<{ courseId: string; role: CourseRole }> {
  return inTransaction(tx, (inner) => redeemWithin(inner, code, userId, now));
}

async function redeemWithin(tx: Prisma.TransactionClient, code: string, userId: string, now: Date): Promise<{ courseId: string; role: CourseRole }> {
  const normalized = normalizeInviteCode(code);
  const rows = await tx.$queryRaw<{ courseId: string; role: CourseRole }[]>`
    UPDATE "InviteCode" SET "uses" = "uses" + 1
    WHERE "code" = ${normalized}
      AND "revokedAt" IS NULL
      AND ("expiresAt" IS NULL OR "expiresAt" > ${now}::timestamptz)
      AND ("maxUses" IS NULL OR "uses" < "maxUses")
    RETURNING "courseId"::text AS "courseId", "role"::text AS "role"`;
  const hit = rows[0];
  if (!hit) throw inviteInvalid();
  const existing = await tx.membership.findUnique({ where: { userId_courseId: { userId, courseId: hit.courseId } }, select: { role: true } });
  if (existing) throw conflict('ALREADY_MEMBER', 'you are already a member of this course');
  try {
    await addMembership(tx, { userId, courseId: hit.courseId, role: hit.role }, 'invite');
  } catch (err) {
    // A concurrent join by the same user through another code.
    if (isUniqueViolation(err)) throw conflict('ALREADY_MEMBER', 'you are already a member of this course');
    throw err;
  }
  return { courseId: hit.courseId, role: hit.role };
}

/** joinCourse(prisma, caller, code, now): redeems the code for the caller; the course and the role it gave. */
export async function joinCourse(
  prisma: PrismaClient,
  caller: UserPrincipal,
  code: string,
  now: Date,
): Promise<{ course: { id: string; title: string; code: string; createdAt: Date }; role: CourseRole }> {
  const { courseId, role } = await redeemInvite(prisma, code, caller.userId, now);
  const course = await prisma.course.findUniqueOrThrow({ where: { id: courseId }, select: { id: true, title: true, code: true, createdAt: true } });
  return { course, role };
}
