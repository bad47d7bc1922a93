/**
 * Who is calling. Every route hands the domain code a Principal, never a token's raw claims;
 * the authoriser (authorize.ts) is the only code that turns it plus an unsafe id into an
 * authorised reference. Today a principal is a signed-in user; API keys and LTI launches will
 * be further kinds, each with the courses and actions it may reach.
 */
export interface UserPrincipal {
  readonly kind: 'user';
  readonly userId: string;
  /** A site administrator: acts as an instructor in every course. */
  readonly admin: boolean;
}

export type Principal = UserPrincipal;

export function userPrincipal(userId: string, admin: boolean): UserPrincipal {
  return { kind: 'user', userId, admin };
}
