/**
 * A course's API keys, for an LMS or a script. The key is `qgk_` and 32 random bytes; only its
 * SHA-256 is stored (a slow password hash buys nothing against 256 random bits and would cost
 * every request), with the first characters to tell keys apart. A key is shown once, at
 * creation. It is a principal of its own course only (authz/rules.ts courseRoleOf), limited
 * to the routes that accept one of its scopes (plugins/auth.ts); an expired or revoked key is
 * refused with 401 at once, on every instance (each request reads its row).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../db/client.js';
import { keyPrincipal, API_SCOPES, type ApiScope, type CourseRef, type KeyPrincipal } from '../authz/index.js';
import { notFound, unauthorized, unprocessable } from '../errors.js';

export const API_KEY_PREFIX = 'qgk_';
/** lastUsedAt is written at most this often per key (a sync loop must not write a row per call). */
const LAST_USED_GRANULARITY_MS = 60_000;

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const keyHash = (secret: string) => createHash('sha256').update(secret).digest('hex');
const scopesOf = (stored: string[]): ApiScope[] => API_SCOPES.filter((s) => stored.includes(s));

function view(k: {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}): ApiKeyView {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: scopesOf(k.scopes),
    createdAt: k.createdAt,
    expiresAt: k.expiresAt,
    lastUsedAt: k.lastUsedAt,
    revokedAt: k.revokedAt,
  };
}

/** createApiKey(app, ref (instructor), input): the key's view and its secret, which is never shown again. */
export async function createApiKey(
  app: FastifyInstance,
  ref: CourseRef,
  input: { name: string; scopes: ApiScope[]; expiresAt?: Date },
): Promise<ApiKeyView & { key: string }> {
  if (input.expiresAt && input.expiresAt.getTime() <= app.now().getTime()) {
    throw unprocessable('EXPIRY_IN_PAST', 'expiresAt must be in the future', { expiresAt: input.expiresAt.toISOString() });
  }
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const row = await app.prisma.apiKey.create({
    data: {
      courseId: ref.courseId,
      name: input.name,
      prefix: key.slice(0, API_KEY_PREFIX.length + 8),
      secretHash: keyHash(key),
      scopes: [...new Set(input.scopes)],
      createdById: ref.principal.userId,
      expiresAt: input.expiresAt ?? null,
    },
  });
  return { ...view(row), key };
}

/** listApiKeys(prisma, ref (instructor)): the course's keys, newest first, revoked ones included (without secrets). */
export async function listApiKeys(prisma: PrismaClient, ref: CourseRef): Promise<ApiKeyView[]> {
  const rows = await prisma.apiKey.findMany({ where: { courseId: ref.courseId }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });
  return rows.map(view);
}

/** revokeApiKey(app, ref (instructor), unsafeKeyId): revokes a key of this course (idempotent); 404 for another course's key. */
export async function revokeApiKey(app: FastifyInstance, ref: CourseRef, unsafeKeyId: string): Promise<ApiKeyView> {
  const key = await app.prisma.apiKey.findFirst({ where: { id: unsafeKeyId, courseId: ref.courseId } });
  if (!key) throw notFound('API key');
  if (key.revokedAt) return view(key);
  return view(await app.prisma.apiKey.update({ where: { id: key.id }, data: { revokedAt: app.now() } }));
}

/** principalOfApiKey(app, secret): the key's principal, or 401 (unknown, revoked or expired). Notes its last use. */
export async function principalOfApiKey(app: FastifyInstance, secret: string): Promise<KeyPrincipal> {
  // Only well-formed keys reach the database (the prefix and 43 base64url characters).
  if (!/^qgk_[A-Za-z0-9_-]{43}$/.test(secret)) throw unauthorized('invalid API key');
  const row = await app.prisma.apiKey.findUnique({ where: { secretHash: keyHash(secret) } });
  const now = app.now();
  if (!row || row.revokedAt) throw unauthorized('invalid or revoked API key');
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) throw unauthorized('API key expired');
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_GRANULARITY_MS) {
    await app.prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return keyPrincipal(row.id, row.courseId, scopesOf(row.scopes));
}
