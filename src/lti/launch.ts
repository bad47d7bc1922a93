/**
 * What a verified launch does: provision the user, the course and the membership (roles
 * mapped), remember the resource link (its exam, its line item), and hand the sign-in to the
 * web app with a one-time code: a resource link opens its exam (or the course, when no exam is
 * mapped yet), a deep-linking request opens the picker (instructors only). Nothing of the exam
 * is read here: the web app reads it through the usual routes, under their rules.
 */
import type { PrismaClient } from '../db/client.js';
import { AppError, forbidden } from '../errors.js';
import { DEEP_LINK_TTL_MS } from './deep-linking.js';
import { newLaunchCode } from './launch-codes.js';
import { ensureMembership, ltiCourse, ltiUser } from './provision.js';
import { courseRoleOf } from './roles.js';
import type { Launch } from './verify.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The exam a resource link names: the custom exam_id (deep linking), else the one stored for the link. */
function examIdOf(launch: Launch): string | undefined {
  const v = launch.custom.exam_id;
  return typeof v === 'string' && UUID.test(v) ? v.toLowerCase() : undefined;
}

/** handleLaunch(prisma, launch, now): where the browser goes next (/lti/session?code=…&next=…). */
export async function handleLaunch(prisma: PrismaClient, launch: Launch, now: Date): Promise<string> {
  const reg = launch.registration;
  const role = courseRoleOf(launch.roles);
  if (!role) throw forbidden('the launch carries no course role (Instructor, TeachingAssistant or Learner)');
  if (launch.messageType === 'LtiDeepLinkingRequest' && role !== 'INSTRUCTOR') throw forbidden('only instructors can add quizgrad exams to the course');
  const user = await ltiUser(prisma, reg.issuer, { sub: launch.sub, email: launch.email, name: launch.name });
  const course = await ltiCourse(prisma, reg, launch.context, { membershipsUrl: launch.membershipsUrl, lineItemsUrl: launch.ags?.lineitems });
  await ensureMembership(prisma, course.id, user.id, role);
  let next = `/courses/${course.id}`;
  if (launch.messageType === 'LtiDeepLinkingRequest' && launch.deepLinking) {
    const dl = await prisma.ltiDeepLink.create({
      data: {
        registrationId: reg.id,
        courseId: course.id,
        userId: user.id,
        deploymentId: launch.deploymentId,
        returnUrl: launch.deepLinking.returnUrl,
        data: launch.deepLinking.data ?? null,
        expiresAt: new Date(now.getTime() + DEEP_LINK_TTL_MS),
      },
    });
    next = `/lti/deep-link/${dl.id}`;
  } else if (launch.resourceLink) {
    const key = { issuer_resourceLinkId: { issuer: reg.issuer, resourceLinkId: launch.resourceLink.id } };
    const named = examIdOf(launch);
    let examId: string | null | undefined;
    if (named) {
      const exam = await prisma.exam.findUnique({ where: { id: named }, select: { courseId: true } });
      if (!exam || exam.courseId !== course.id) throw new AppError(409, 'LTI_NOT_AVAILABLE', "the link's exam is not one of this course's exams");
      examId = named;
    }
    const ags = launch.ags;
    const link = await prisma.ltiResourceLink.upsert({
      where: key,
      create: {
        issuer: reg.issuer,
        resourceLinkId: launch.resourceLink.id,
        registrationId: reg.id,
        contextId: course.contextRowId,
        examId: examId ?? null,
        lineItemUrl: ags?.lineitem ?? null,
        lineItemsUrl: ags?.lineitems ?? null,
      },
      update: {
        ...(examId ? { examId } : {}),
        ...(ags?.lineitem ? { lineItemUrl: ags.lineitem } : {}),
        ...(ags?.lineitems ? { lineItemsUrl: ags.lineitems } : {}),
      },
    });
    if (link.examId) next = `/exams/${link.examId}`;
  }
  const code = await newLaunchCode(prisma, user.id, now);
  return `/lti/session?${new URLSearchParams({ code, next }).toString()}`;
}
