/**
 * Who is calling. Every route hands the domain code a Principal, never a token's raw claims;
 * the authoriser (authorize.ts) is the only code that turns it plus an unsafe id into an
 * authorised reference.
 * - A user: a signed-in person (password or LTI launch), with a role per course.
 * - An API key: one course's key for an LMS or a script. It reaches its own course only, and
 *   only the routes that name one of its scopes (plugins/auth.ts refuses it everywhere else).
 */
export interface UserPrincipal {
  readonly kind: 'user';
  readonly userId: string;
  /** A site administrator: acts as an instructor in every course. */
  readonly admin: boolean;
}

export const API_SCOPES = ['roster:write', 'grades:read', 'exams:read', 'exams:write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface KeyPrincipal {
  readonly kind: 'key';
  readonly keyId: string;
  /** The one course the key belongs to. */
  readonly courseId: string;
  readonly scopes: readonly ApiScope[];
  readonly admin: false;
}

export type Principal = UserPrincipal | KeyPrincipal;

export function userPrincipal(userId: string, admin: boolean): UserPrincipal {
  return { kind: 'user', userId, admin };
}

export function keyPrincipal(keyId: string, courseId: string, scopes: readonly ApiScope[]): KeyPrincipal {
  return { kind: 'key', keyId, courseId, scopes, admin: false };
}
