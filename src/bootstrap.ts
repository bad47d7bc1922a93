/**
 * First-start chores: a JWT secret for development (kept in DATA_DIR so tokens survive
 * restarts) and the first administrator, whose one-time password is printed once.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import type { PrismaClient } from './db/client.js';

export const ADMIN_EMAIL = 'admin@quizgrad.local';

/** devJwtSecret(dataDir): a random secret created once and reused. */
export function devJwtSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** ensureAdmin(prisma): creates the first admin when there is none; returns its one-time password. */
export async function ensureAdmin(prisma: PrismaClient): Promise<{ email: string; password: string } | undefined> {
  if (await prisma.user.count({ where: { isAdmin: true } })) return undefined;
  const password = randomBytes(18).toString('base64url');
  await prisma.user.create({
    data: { email: ADMIN_EMAIL, name: 'Administrator', isAdmin: true, passwordHash: await hash(password) },
  });
  return { email: ADMIN_EMAIL, password };
}
