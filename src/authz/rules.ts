/**
 * The authorisation rules as pure functions: what a principal with a given role in a course may
 * do. The authoriser (authorize.ts) and the hot statements that read the role together with
 * their rows (sql.ts) both decide with these, so there is one rule per decision.
 */
import type { CourseRole } from '../generated/prisma/client.js';
import type { Principal, UserPrincipal } from './principal.js';

export type { CourseRole };

/** What the caller wants to do in a course. */
export type CourseNeed = 'member' | 'staff' | 'instructor';

export const STAFF: readonly CourseRole[] = ['TA', 'INSTRUCTOR'];
export const INSTRUCTORS: readonly CourseRole[] = ['INSTRUCTOR'];

/** roleOf(memberRole, user): the user's role in a course that exists; administrators who are not members act as instructors. */
export function roleOf(memberRole: CourseRole | null | undefined, p: UserPrincipal): CourseRole | undefined {
  return memberRole ?? (p.admin ? 'INSTRUCTOR' : undefined);
}

/**
 * courseRoleOf(memberRole, principal, courseId): roleOf for any principal. An API key acts as
 * an instructor of its own course (its scopes, checked per route, narrow that) and is nobody
 * in any other.
 */
export function courseRoleOf(memberRole: CourseRole | null | undefined, p: Principal, courseId: string): CourseRole | undefined {
  if (p.kind === 'key') return p.courseId === courseId ? 'INSTRUCTOR' : undefined;
  return roleOf(memberRole, p);
}

/** rolesFor(need): the roles that satisfy a need. */
export function rolesFor(need: CourseNeed): readonly CourseRole[] | undefined {
  return need === 'member' ? undefined : need === 'staff' ? STAFF : INSTRUCTORS;
}

export function isStaff(role: CourseRole | undefined): boolean {
  return role === 'TA' || role === 'INSTRUCTOR';
}

/** Students never learn that drafts exist. */
export function hiddenFrom(role: CourseRole, status: string): boolean {
  return role === 'STUDENT' && status === 'DRAFT';
}

/** What the caller wants to do with an attempt. */
export type AttemptAction =
  /** Read it as its owner or as course staff. */
  | 'read'
  /** Save, try, finish: the owner only, and only while still a member of the course. */
  | 'answer'
  /** Staff views (the override audit). */
  | 'staff'
  /** Change its points by hand. */
  | 'instructor';

/**
 * attemptDecision(p, ownerId, callerRole, action): 'owner', 'staff', or undefined (404: the
 * attempt does not exist for the caller). A member without the role an action needs is a 403
 * ('forbidden'); a student asking about someone else's attempt learns nothing (404).
 */
export function attemptDecision(
  p: UserPrincipal,
  ownerId: string,
  callerRole: CourseRole | undefined,
  action: AttemptAction,
): 'owner' | 'staff' | 'forbidden' | undefined {
  const own = ownerId === p.userId;
  // Not (or no longer) in the course: the attempt does not exist for the caller, owner or not.
  if (!callerRole) return undefined;
  switch (action) {
    case 'read':
      return own ? 'owner' : isStaff(callerRole) ? 'staff' : undefined;
    case 'answer':
      return own ? 'owner' : undefined;
    case 'staff':
    case 'instructor': {
      if (!isStaff(callerRole)) return own ? 'forbidden' : undefined;
      if (action === 'instructor' && callerRole !== 'INSTRUCTOR') return 'forbidden';
      return 'staff';
    }
  }
}

/** The context a route reaches variants in. */
export type VariantContext = 'PRACTICE' | 'EXAM';
