/**
 * The sign-in handoff of a launch: a one-time code (one minute; only its hash is stored) that
 * the web app's /lti/session page exchanges (POST /api/v1/auth/lti) for an access token. The
 * launch itself only signs in and redirects; the exam is then read through the usual routes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../db/client.js';
import { AppError } from '../errors.js';

export const CODE_TTL_MS = 60_000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export async function newLaunchCode(prisma: PrismaClient, userId: string, now: Date): Promise<string> {
  const code = randomBytes(24).toString('base64url');
  await prisma.ltiLaunchCode.create({ data: { codeHash: sha256(code), userId, expiresAt: new Date(now.getTime() + CODE_TTL_MS) } });
  return code;
}

/** redeemLaunchCode(prisma, code, now): the user it signs in (once), or 401. */
export async function redeemLaunchCode(
  prisma: PrismaClient,
  code: string,
  now: Date,
): Promise<{ id: string; email: string; name: string; isAdmin: boolean; createdAt: Date }> {
  const codeHash = sha256(code);
  const won = await prisma.ltiLaunchCode.updateMany({ where: { codeHash, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
  if (won.count !== 1) throw new AppError(401, 'LTI_LAUNCH_REFUSED', 'the launch code is unknown, used or expired: launch again from the platform');
  const row = await prisma.ltiLaunchCode.findUniqueOrThrow({ where: { codeHash }, include: { user: true } });
  return row.user;
}
