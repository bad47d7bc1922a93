/**
 * Provisioning from a launch or a roster: the user of an LTI identity (issuer + sub; created on
 * first sight with a password nobody knows), the course of an LTI context (created on first
 * launch), and the membership with the role the LTI roles map to. Memberships are written by
 * the one writer (repos/memberships.ts), so each change has its roster.changed event.
 */
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../db/client.js';
import type { CourseRole, LtiRegistration } from '../generated/prisma/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { addMembership, setMembershipRole } from '../repos/memberships.js';
import { generateCourseCode } from '../courses/courses.js';

/** Not an argon2 hash: verifyPassword fails on it, so an LTI user signs in through the platform only. */
const unusablePasswordHash = () => `!lti-no-password!${randomBytes(16).toString('hex')}`;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * ltiUser(prisma, issuer, {sub, email?, name}): the user linked to the identity, made (and
 * linked) on first sight. The platform's email is used only when no account has it: an existing
 * account is never taken over by a platform asserting its address.
 */
export async function ltiUser(
  prisma: PrismaClient,
  issuer: string,
  who: { sub: string; email?: string; name: string },
): Promise<{ id: string; isAdmin: boolean }> {
  for (let attempt = 0; ; attempt++) {
    const link = await prisma.ltiUser.findUnique({ where: { issuer_sub: { issuer, sub: who.sub } }, include: { user: true } });
    if (link) {
      if (who.name && link.user.name !== who.name) await prisma.user.update({ where: { id: link.userId }, data: { name: who.name.slice(0, 200) } });
      return { id: link.user.id, isAdmin: link.user.isAdmin };
    }
    const wanted = who.email && EMAIL.test(who.email) ? who.email.toLowerCase() : undefined;
    const free = wanted && !(await prisma.user.findUnique({ where: { email: wanted }, select: { id: true } }));
    const email = free ? wanted : `lti-${randomBytes(8).toString('hex')}@lti.invalid`;
    try {
      return await prisma.$transaction(async (tx) => {
        const u = await tx.user.create({ data: { email, name: who.name.slice(0, 200) || 'LTI user', passwordHash: unusablePasswordHash() } });
        await tx.ltiUser.create({ data: { issuer, sub: who.sub, userId: u.id } });
        return { id: u.id, isAdmin: false };
      });
    } catch (err) {
      // Another launch of the same person at the same moment (or the email just taken): look again.
      if (!isUniqueViolation(err) || attempt >= 2) throw err;
    }
  }
}

/** ltiCourse(prisma, reg, context, urls): the course of the context (made on first launch); the service URLs of the launch are kept. */
export async function ltiCourse(
  prisma: PrismaClient,
  reg: LtiRegistration,
  context: { id: string; title: string },
  urls: { membershipsUrl?: string; lineItemsUrl?: string },
): Promise<{ id: string; contextRowId: string }> {
  const key = { issuer_contextId: { issuer: reg.issuer, contextId: context.id } };
  for (let attempt = 0; ; attempt++) {
    const found = await prisma.ltiContext.findUnique({ where: key });
    if (found) {
      if ((urls.membershipsUrl && urls.membershipsUrl !== found.membershipsUrl) || (urls.lineItemsUrl && urls.lineItemsUrl !== found.lineItemsUrl)) {
        await prisma.ltiContext.update({
          where: { id: found.id },
          data: { membershipsUrl: urls.membershipsUrl ?? found.membershipsUrl, lineItemsUrl: urls.lineItemsUrl ?? found.lineItemsUrl },
        });
      }
      return { id: found.courseId, contextRowId: found.id };
    }
    try {
      return await prisma.$transaction(async (tx) => {
        const title = context.title.slice(0, 200);
        const course = await tx.course.create({ data: { title, code: generateCourseCode(title) } });
        const row = await tx.ltiContext.create({
          data: {
            issuer: reg.issuer,
            contextId: context.id,
            registrationId: reg.id,
            courseId: course.id,
            title,
            membershipsUrl: urls.membershipsUrl,
            lineItemsUrl: urls.lineItemsUrl,
          },
        });
        return { id: course.id, contextRowId: row.id };
      });
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= 2) throw err;
    }
  }
}

/** ensureMembership(prisma, courseId, userId, role): enrols, or changes the role when the platform's changed; what happened. */
export async function ensureMembership(prisma: PrismaClient, courseId: string, userId: string, role: CourseRole): Promise<'added' | 'changed' | 'same'> {
  const m = await prisma.membership.findUnique({ where: { userId_courseId: { userId, courseId } }, select: { role: true } });
  if (!m) {
    try {
      await addMembership(prisma, { courseId, userId, role }, 'lti');
      return 'added';
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return ensureMembership(prisma, courseId, userId, role);
    }
  }
  if (m.role === role) return 'same';
  await setMembershipRole(prisma, { courseId, userId }, m.role, role, 'lti');
  return 'changed';
}
