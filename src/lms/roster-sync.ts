/**
 * Roster sync from an LMS: a bulk upsert of members by their LMS user id, idempotent (the same
 * list twice changes nothing the second time). Each row is checked on its own, so one bad row
 * is reported with its reason and the others still go through.
 *
 * - A row's user is found by LMS id, else by email (and then linked to that LMS id); else an
 *   account is made with no password (it signs in through the LMS). An existing account's
 *   name and email are its own: a key of one course never rewrites an identity other courses
 *   share.
 * - A full sync deactivates the members it does not list: their Membership (access) goes, their
 *   RosterEntry stays with deactivatedAt, and so do their attempts and scores; listing them again
 *   reactivates them. Instructors are never deactivated by a sync (it must not lock the course's
 *   staff out); they are reported as kept.
 * - A role change that would leave the course without an instructor is refused for that row.
 * All of it runs in one transaction holding the course row's lock (membership changes of a
 * course are serialised, as in courses/members.ts), each change with its roster.changed event.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CourseRole } from '../generated/prisma/client.js';
import type { CourseRef, Principal } from '../authz/index.js';
import { NO_PASSWORD } from '../auth/passwords.js';
import { notFound } from '../errors.js';
import { addMembership, removeMembership, setMembershipRole, writeRosterEntry } from '../repos/memberships.js';

export const ROSTER_ROLES = { student: 'STUDENT', ta: 'TA', instructor: 'INSTRUCTOR' } as const satisfies Record<string, CourseRole>;
export const MAX_ROSTER_ROWS = 10_000;

// Storable text (no NUL, no lone surrogate) is checked for the whole body before this runs (plugins/valid-text.ts).
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const rosterRow = z.strictObject({
  lmsId: text(200),
  email: z
    .email({ message: 'must be an email address' })
    .max(254)
    .transform((e) => e.toLowerCase()),
  name: text(200),
  role: z.enum(Object.keys(ROSTER_ROLES) as [keyof typeof ROSTER_ROLES, ...(keyof typeof ROSTER_ROLES)[]]),
});
type RosterRow = z.infer<typeof rosterRow>;

export interface RosterSyncResult {
  created: number;
  updated: number;
  reactivated: number;
  unchanged: number;
  deactivated: number;
  /** Members a full sync did not list but kept: instructors. */
  kept: { userId: string; reason: string }[];
  rejected: { row: number; lmsId: string | null; reason: string }[];
}

/** The first problem zod found in a row, as "field: message". */
function reasonOf(err: z.ZodError): string {
  const issue = err.issues[0];
  return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

function lmsIdOf(raw: unknown): string | null {
  const id = raw && typeof raw === 'object' ? (raw as { lmsId?: unknown }).lmsId : undefined;
  return typeof id === 'string' && id.length <= 200 ? id.trim() : null;
}

/** syncRoster(app, ref (roster:write or instructor), input): what changed and which rows were refused. */
export async function syncRoster(app: FastifyInstance, ref: CourseRef<Principal>, input: { full: boolean; members: unknown[] }): Promise<RosterSyncResult> {
  const result: RosterSyncResult = { created: 0, updated: 0, reactivated: 0, unchanged: 0, deactivated: 0, kept: [], rejected: [] };
  const reject = (row: number, raw: unknown, reason: string) => result.rejected.push({ row, lmsId: lmsIdOf(raw), reason });

  // Rows are parsed first; duplicates within the list are refused after their first occurrence.
  const rows: { index: number; row: RosterRow }[] = [];
  const seenId = new Map<string, number>();
  const seenEmail = new Map<string, number>();
  /** LMS ids the list names, valid or not: a member whose row was refused is not "missing". */
  const mentioned = new Set<string>();
  input.members.forEach((raw, index) => {
    const id = lmsIdOf(raw);
    if (id) mentioned.add(id);
    const parsed = rosterRow.safeParse(raw);
    if (!parsed.success) return reject(index, raw, reasonOf(parsed.error));
    const r = parsed.data;
    const dupId = seenId.get(r.lmsId);
    if (dupId !== undefined) return reject(index, raw, `lmsId is already in row ${dupId}`);
    const dupEmail = seenEmail.get(r.email);
    if (dupEmail !== undefined) return reject(index, raw, `email is already in row ${dupEmail} (another lmsId)`);
    seenId.set(r.lmsId, index);
    seenEmail.set(r.email, index);
    rows.push({ index, row: r });
  });

  const now = app.now();
  const { courseId } = ref;
  await app.prisma.$transaction(
    async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "Course" WHERE "id" = ${courseId}::uuid FOR UPDATE`;
      if (!locked.length) throw notFound('course');
      const users = await tx.user.findMany({
        where: { OR: [{ lmsId: { in: rows.map((r) => r.row.lmsId) } }, { email: { in: rows.map((r) => r.row.email) } }] },
        select: { id: true, email: true, lmsId: true },
      });
      const byLmsId = new Map(users.filter((u) => u.lmsId !== null).map((u) => [u.lmsId as string, u]));
      const byEmail = new Map(users.map((u) => [u.email, u]));
      const members = new Map((await tx.membership.findMany({ where: { courseId }, select: { userId: true, role: true } })).map((m) => [m.userId, m.role]));
      const entries = new Map(
        (await tx.rosterEntry.findMany({ where: { courseId }, select: { userId: true, role: true, deactivatedAt: true } })).map((e) => [e.userId, e]),
      );
      let instructors = [...members.values()].filter((r) => r === 'INSTRUCTOR').length;
      const listed = new Set<string>();

      for (const { index, row } of rows) {
        const role = ROSTER_ROLES[row.role];
        let user = byLmsId.get(row.lmsId);
        if (!user) {
          const sameEmail = byEmail.get(row.email);
          if (sameEmail?.lmsId) {
            reject(index, row, 'email belongs to an account linked to another lmsId');
            continue;
          }
          if (sameEmail) {
            await tx.user.update({ where: { id: sameEmail.id }, data: { lmsId: row.lmsId } });
            user = { ...sameEmail, lmsId: row.lmsId };
          } else {
            user = await tx.user.create({
              data: { email: row.email, name: row.name, lmsId: row.lmsId, passwordHash: NO_PASSWORD },
              select: { id: true, email: true, lmsId: true },
            });
          }
          byLmsId.set(row.lmsId, user);
        }
        const current = members.get(user.id);
        if (current === 'INSTRUCTOR' && role !== 'INSTRUCTOR' && instructors <= 1) {
          reject(index, row, 'a course must keep at least one instructor');
          listed.add(user.id);
          continue;
        }
        listed.add(user.id);
        const entry = entries.get(user.id);
        if (!current) {
          await addMembership(tx, { courseId, userId: user.id, role }, 'roster-sync');
          if (entry?.deactivatedAt) result.reactivated++;
          else result.created++;
        } else if (current !== role) {
          await setMembershipRole(tx, { courseId, userId: user.id }, current, role, 'roster-sync');
          result.updated++;
        } else {
          result.unchanged++;
        }
        if (current !== 'INSTRUCTOR' && role === 'INSTRUCTOR') instructors++;
        if (current === 'INSTRUCTOR' && role !== 'INSTRUCTOR') instructors--;
        members.set(user.id, role);
        if (!entry || entry.role !== role || entry.deactivatedAt) await writeRosterEntry(tx, { courseId, userId: user.id, role, at: now, deactivated: false });
      }

      if (!input.full) return;
      const mentionedUsers = new Set((await tx.user.findMany({ where: { lmsId: { in: [...mentioned] } }, select: { id: true } })).map((u) => u.id));
      for (const [userId, role] of members) {
        if (listed.has(userId) || mentionedUsers.has(userId)) continue;
        if (role === 'INSTRUCTOR') {
          result.kept.push({ userId, reason: 'instructors are never deactivated by a sync' });
          continue;
        }
        await removeMembership(tx, { courseId, userId }, role, 'roster-sync');
        await writeRosterEntry(tx, { courseId, userId, role, at: now, deactivated: true });
        result.deactivated++;
      }
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
  return result;
}

/** The roster as the LMS sees it: current members with their LMS ids, and those a full sync deactivated. */
export async function rosterOf(app: FastifyInstance, ref: CourseRef<Principal>) {
  const [members, gone] = await Promise.all([
    app.prisma.membership.findMany({
      where: { courseId: ref.courseId },
      select: { role: true, createdAt: true, user: { select: { id: true, lmsId: true, email: true, name: true } } },
      orderBy: { user: { email: 'asc' } },
    }),
    app.prisma.rosterEntry.findMany({
      where: { courseId: ref.courseId, deactivatedAt: { not: null } },
      select: { role: true, deactivatedAt: true, user: { select: { id: true, lmsId: true, email: true, name: true } } },
      orderBy: { user: { email: 'asc' } },
    }),
  ]);
  const active = members.map((m) => ({
    userId: m.user.id,
    lmsId: m.user.lmsId,
    email: m.user.email,
    name: m.user.name,
    role: m.role,
    active: true,
    deactivatedAt: null,
  }));
  // Someone deactivated by a sync and since added back by other means (an invite) is a member.
  const current = new Set(active.map((m) => m.userId));
  const inactive = gone
    .filter((e) => !current.has(e.user.id))
    .map((e) => ({
      userId: e.user.id,
      lmsId: e.user.lmsId,
      email: e.user.email,
      name: e.user.name,
      role: e.role,
      active: false,
      deactivatedAt: e.deactivatedAt,
    }));
  return [...active, ...inactive];
}
