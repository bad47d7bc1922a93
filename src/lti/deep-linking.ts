/**
 * Deep Linking 2.0: an instructor's LtiDeepLinkingRequest opens the picker (a web page listing
 * the course's published exams); the pick becomes an LtiDeepLinkingResponse JWT signed by the
 * tool's current key (iss = our client id, aud = the platform's issuer, the deployment, the
 * request's data echoed) with one ltiResourceLink content item whose custom exam_id maps the
 * link's later launches to the exam, and a lineItem so the platform makes its gradebook column.
 * The JWT is POSTed to deep_link_return_url by an auto-submitted form, served once by a ticket.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { PrismaClient } from '../db/client.js';
import { AppError, notFound } from '../errors.js';
import { CLAIM } from './claims.js';
import { currentSigningKey } from './keys.js';

export const DEEP_LINK_TTL_MS = 60 * 60_000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** answerDeepLink(prisma, deepLink, exam, toolOrigin, now): the ticket of the signed response (the deep link is then used up). */
export async function answerDeepLink(
  prisma: PrismaClient,
  deepLinkId: string,
  userId: string,
  exam: { id: string; title: string; maxPoints: number },
  toolOrigin: string,
  now: Date,
): Promise<string> {
  const dl = await prisma.ltiDeepLink.findUnique({ where: { id: deepLinkId }, include: { registration: true } });
  if (!dl || dl.userId !== userId) throw notFound('deep link');
  if (dl.usedAt || dl.ticketHash || dl.expiresAt <= now)
    throw new AppError(409, 'LTI_NOT_AVAILABLE', 'this deep-linking request was answered or has expired: start it again from the platform');
  const { kid, key } = await currentSigningKey(prisma);
  const t = Math.floor(now.getTime() / 1000);
  const jwt = await new SignJWT({
    nonce: randomUUID(),
    [CLAIM.messageType]: 'LtiDeepLinkingResponse',
    [CLAIM.version]: '1.3.0',
    [CLAIM.deploymentId]: dl.deploymentId,
    ...(dl.data !== null ? { [CLAIM.deepLinkingData]: dl.data } : {}),
    [CLAIM.deepLinkingContentItems]: [
      {
        type: 'ltiResourceLink',
        title: exam.title,
        url: `${toolOrigin}/lti/launch`,
        custom: { exam_id: exam.id },
        lineItem: { scoreMaximum: exam.maxPoints > 0 ? exam.maxPoints : 1, label: exam.title, resourceId: exam.id, tag: 'quizgrad' },
      },
    ],
  })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setIssuer(dl.registration.clientId)
    .setAudience(dl.registration.issuer)
    .setIssuedAt(t)
    .setExpirationTime(t + 600)
    .sign(key);
  const ticket = randomBytes(24).toString('base64url');
  const won = await prisma.ltiDeepLink.updateMany({ where: { id: dl.id, ticketHash: null }, data: { ticketHash: sha256(ticket), responseJwt: jwt } });
  if (won.count !== 1) throw new AppError(409, 'LTI_NOT_AVAILABLE', 'this deep-linking request was already answered');
  return ticket;
}

/** takeDeepLinkResponse(prisma, ticket, now): the return URL and JWT to post (once), or 401. */
export async function takeDeepLinkResponse(
  prisma: PrismaClient,
  ticket: string,
  now: Date,
): Promise<{ returnUrl: string; jwt: string; registrationId: string }> {
  const ticketHash = sha256(ticket);
  const won = await prisma.ltiDeepLink.updateMany({ where: { ticketHash, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
  const dl = won.count === 1 ? await prisma.ltiDeepLink.findUnique({ where: { ticketHash } }) : null;
  if (!dl?.responseJwt) throw new AppError(401, 'LTI_LAUNCH_REFUSED', 'the deep-linking ticket is unknown, used or expired');
  return { returnUrl: dl.returnUrl, jwt: dl.responseJwt, registrationId: dl.registrationId };
}
