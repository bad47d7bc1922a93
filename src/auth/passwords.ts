/** argon2id password hashing (OWASP parameters: 19 MiB, 2 iterations). */
import { hash, verify } from '@node-rs/argon2';

const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
// Verified against when the email is unknown, so a missing account takes as long as a wrong password.
let dummy: Promise<string> | undefined;

/** The password hash of an account made by an LMS (roster sync, LTI): no password matches it, so it signs in through the LMS. */
export const NO_PASSWORD = '!lms-account';

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  // An LMS account has no password: it takes as long to refuse as a wrong one.
  if (!stored || stored === NO_PASSWORD) {
    dummy ??= hash('not-a-real-password', OPTIONS);
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
