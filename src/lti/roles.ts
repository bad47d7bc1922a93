/** LTI roles → course roles: Instructor → INSTRUCTOR, Teaching Assistant → TA, Learner → STUDENT; the highest wins. */
import type { CourseRole } from '../generated/prisma/client.js';

const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership';

/** courseRoleOf(roles): the course role the LTI roles map to, or null when none is a course role. */
export function courseRoleOf(roles: readonly string[]): CourseRole | null {
  let best: CourseRole | null = null;
  const rank = { STUDENT: 1, TA: 2, INSTRUCTOR: 3 } as const;
  const take = (r: CourseRole) => {
    if (!best || rank[r] > rank[best]) best = r;
  };
  for (const role of roles) {
    // Full URIs, and the short names LTI 1.3 still allows for context roles.
    const name = role.startsWith(`${MEMBERSHIP}#`)
      ? role.slice(MEMBERSHIP.length + 1)
      : role.startsWith(`${MEMBERSHIP}/`)
        ? role.slice(MEMBERSHIP.length + 1)
        : role;
    if (name === 'TeachingAssistant' || name === 'Instructor#TeachingAssistant' || name.endsWith('#TeachingAssistant')) take('TA');
    else if (name === 'Instructor') take('INSTRUCTOR');
    else if (name === 'Learner' || name.startsWith('Learner#')) take('STUDENT');
  }
  return best;
}
