/** Expired one-time LTI rows (login states, used nonces, launch codes, deep-link requests) are deleted by the server's sweep. */
import type { PrismaClient } from '../db/client.js';

/** purgeExpired(prisma, now): deletes what can never be used again (an hour past its expiry); how many rows. */
export async function purgeExpiredLti(prisma: PrismaClient, now: Date): Promise<number> {
  const before = new Date(now.getTime() - 3_600_000);
  const counts = await Promise.all([
    prisma.ltiLaunchState.deleteMany({ where: { expiresAt: { lt: before } } }),
    prisma.ltiUsedNonce.deleteMany({ where: { expiresAt: { lt: before } } }),
    prisma.ltiLaunchCode.deleteMany({ where: { expiresAt: { lt: before } } }),
    prisma.ltiDeepLink.deleteMany({ where: { expiresAt: { lt: before } } }),
    prisma.ltiRegistrationInvite.deleteMany({ where: { expiresAt: { lt: before } } }),
  ]);
  return counts.reduce((n, c) => n + c.count, 0);
}
