/**
 * Names and Role Provisioning Services 2.0: the course's roster pulled from the platform's
 * context_memberships_url (kept from the last launch), page by page (Link: rel="next"), with
 * the client-credentials token (contextmembership.readonly); each active member is provisioned
 * (user, membership, role) as a launch would. Members missing from the platform are not removed.
 */
import { z } from 'zod';
import type { PrismaClient } from '../db/client.js';
import type { CourseRef } from '../authz/index.js';
import { AppError } from '../errors.js';
import { MEMBERSHIPS_CONTENT_TYPE, SCOPE } from './claims.js';
import { ensureMembership, ltiUser } from './provision.js';
import { courseRoleOf } from './roles.js';
import { platformFailed, type ServiceTokens } from './service-token.js';

const MAX_PAGES = 200;

const container = z.object({
  members: z.array(
    z.object({
      user_id: z.string().min(1).max(4000),
      roles: z.array(z.string()).default([]),
      status: z.string().optional(),
      name: z.string().max(200).optional(),
      given_name: z.string().max(200).optional(),
      family_name: z.string().max(200).optional(),
      email: z.string().max(254).optional(),
    }),
  ),
});

/** nextLink(header): the URL of rel="next" in a Link header. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;(.*)/.exec(part.trim());
    if (m && /rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?/i.test(m[2])) return m[1];
  }
  return undefined;
}

export interface RosterCounts {
  members: number;
  added: number;
  changed: number;
  unchanged: number;
  skipped: number;
}

/** syncRoster(prisma, tokens, course): provisions the platform's members of the course; counts. */
export async function syncRoster(prisma: PrismaClient, tokens: ServiceTokens, course: CourseRef): Promise<RosterCounts> {
  const contexts = await prisma.ltiContext.findMany({ where: { courseId: course.courseId, membershipsUrl: { not: null } }, include: { registration: true } });
  if (contexts.length === 0)
    throw new AppError(409, 'LTI_NOT_AVAILABLE', 'no LTI launch of this course has given a memberships URL (NRPS): launch it from the platform first');
  const counts: RosterCounts = { members: 0, added: 0, changed: 0, unchanged: 0, skipped: 0 };
  for (const ctx of contexts) {
    const token = await tokens.token(ctx.registration, [SCOPE.memberships]);
    let url: string | undefined = ctx.membershipsUrl ?? undefined;
    for (let page = 0; url && page < MAX_PAGES; page++) {
      let res: Response;
      try {
        res = await tokens.http(url, { headers: { authorization: `Bearer ${token}`, accept: MEMBERSHIPS_CONTENT_TYPE }, signal: AbortSignal.timeout(15_000) });
      } catch (err) {
        throw platformFailed(`the memberships URL did not answer: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (!res.ok) {
        await res.body?.cancel();
        if (res.status === 401) tokens.forget(ctx.registrationId);
        throw platformFailed(`the memberships URL answered HTTP ${res.status}`);
      }
      const parsed = container.safeParse(await res.json().catch(() => null));
      if (!parsed.success) throw platformFailed('the memberships URL answered something that is not a membership container');
      for (const m of parsed.data.members) {
        counts.members++;
        const role = courseRoleOf(m.roles);
        if (!role || (m.status !== undefined && m.status !== 'Active')) {
          counts.skipped++;
          continue;
        }
        const name = m.name ?? ([m.given_name, m.family_name].filter(Boolean).join(' ') || 'LTI user');
        const user = await ltiUser(prisma, ctx.issuer, { sub: m.user_id, email: m.email, name });
        const r = await ensureMembership(prisma, course.courseId, user.id, role);
        counts[r === 'added' ? 'added' : r === 'changed' ? 'changed' : 'unchanged']++;
      }
      const next = nextLink(res.headers.get('link'));
      url = next ? new URL(next, url).toString() : undefined;
    }
  }
  return counts;
}
