/**
 * Refresh tokens: opaque random strings; only their SHA-256 is stored. Each refresh rotates the
 * token (the old one is revoked atomically, so two concurrent refreshes cannot both succeed);
 * presenting a revoked token again means it was stolen or replayed, and revokes its family.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { unauthorized } from '../errors.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function newRefreshToken(app: FastifyInstance, userId: string, familyId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(app.now().getTime() + app.config.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
  await app.prisma.refreshToken.create({ data: { userId, tokenHash: sha256(token), familyId, expiresAt } });
  return token;
}

/** issueTokens(app, user): a new access token and a refresh token starting a new family. */
export async function issueTokens(app: FastifyInstance, user: { id: string; isAdmin: boolean }, familyId: string = randomUUID()): Promise<TokenPair> {
  const refreshToken = await newRefreshToken(app, user.id, familyId);
  return {
    accessToken: app.signAccessToken({ sub: user.id, adm: user.isAdmin }),
    refreshToken,
    tokenType: 'Bearer',
    expiresIn: app.config.ACCESS_TOKEN_TTL_SECONDS,
  };
}

/**
 * Two tabs (or a retried request) may present the same refresh token at once. The second
 * within REUSE_GRACE_MS of the rotation gets a sibling in the same family instead of being
 * taken for a thief (as identity providers allow with a reuse interval); later, or once the
 * family was logged out, a used token revokes its family.
 */
const REUSE_GRACE_MS = 30_000;

/** rotate(app, token): exchanges a live refresh token for a new pair; 401 otherwise. */
export async function rotate(app: FastifyInstance, token: string): Promise<TokenPair> {
  const now = app.now();
  const find = () => app.prisma.refreshToken.findUnique({ where: { tokenHash: sha256(token) }, include: { user: { select: { id: true, isAdmin: true } } } });
  const row = await find();
  if (!row) throw unauthorized('invalid refresh token');
  if (row.expiresAt <= now) throw unauthorized('refresh token expired');
  if (!row.revokedAt) {
    const won = await app.prisma.refreshToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: now, rotatedAt: now } });
    if (won.count === 1) return issueTokens(app, row.user, row.familyId);
  }
  // Already used: a parallel refresh within the grace window, or a replay.
  const used = row.revokedAt ? row : await find();
  if (used?.rotatedAt && now.getTime() - used.rotatedAt.getTime() <= REUSE_GRACE_MS) {
    const live = await app.prisma.refreshToken.count({ where: { familyId: row.familyId, revokedAt: null } });
    if (live > 0) return issueTokens(app, row.user, row.familyId);
  }
  await revokeFamily(app, row.familyId);
  throw unauthorized('refresh token already used; please log in again');
}

export async function revokeFamily(app: FastifyInstance, familyId: string): Promise<void> {
  await app.prisma.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: app.now() } });
}

/** revoke(app, token): logs out the token's family; unknown tokens are ignored. */
export async function revoke(app: FastifyInstance, token: string): Promise<void> {
  const row = await app.prisma.refreshToken.findUnique({ where: { tokenHash: sha256(token) }, select: { familyId: true } });
  if (row) await revokeFamily(app, row.familyId);
}

export async function revokeAllForUser(app: FastifyInstance, userId: string): Promise<void> {
  await app.prisma.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: app.now() } });
}
