/**
 * The one writer of course memberships. Every insert, role change and removal of a Membership
 * row happens here, in a transaction that also inserts its `roster.changed` outbox event
 * (test/architecture/writers.test.ts fails on a write to the table anywhere else).
 * Callers pass the transaction they hold (the course lock, an invite redemption) or the client,
 * in which case one is opened.
 */
import type { CourseRole, Prisma } from '../generated/prisma/client.js';
import type { PrismaClient } from '../db/client.js';
import { emit, type EventPayload } from './outbox.js';
import { inTransaction } from '../db/transaction.js';

type Tx = Prisma.TransactionClient;
type Via = EventPayload<'roster.changed'>['via'];

const withUser = { user: { select: { email: true, name: true } } } as const;

/** Enrols a user (unique violation P2002 if already a member, nothing written then). */
export function addMembership(db: PrismaClient | Tx, m: { courseId: string; userId: string; role: CourseRole }, via: Via) {
  return inTransaction(db, async (tx) => {
    const row = await tx.membership.create({ data: m, include: withUser });
    await emit(tx, m.courseId, 'roster.changed', { change: 'added', userId: m.userId, role: m.role, previousRole: null, via });
    return row;
  });
}

/** Changes a member's role (the row must exist); no event when the role is the same. */
export function setMembershipRole(db: PrismaClient | Tx, key: { courseId: string; userId: string }, from: CourseRole, to: CourseRole, via: Via) {
  return inTransaction(db, async (tx) => {
    const row = await tx.membership.update({ where: { userId_courseId: key }, data: { role: to }, include: withUser });
    if (from !== to) await emit(tx, key.courseId, 'roster.changed', { change: 'role-changed', userId: key.userId, role: to, previousRole: from, via });
    return row;
  });
}

/** Removes a member (the row must exist). */
export function removeMembership(db: PrismaClient | Tx, key: { courseId: string; userId: string }, from: CourseRole, via: Via) {
  return inTransaction(db, async (tx) => {
    await tx.membership.delete({ where: { userId_courseId: key } });
    await emit(tx, key.courseId, 'roster.changed', { change: 'removed', userId: key.userId, role: null, previousRole: from, via });
  });
}

/**
 * The LMS's view of a member (roster sync): present (deactivatedAt null) or missing from the
 * last full sync. Written with the membership change it records, in the caller's transaction.
 */
export function writeRosterEntry(tx: Tx, e: { courseId: string; userId: string; role: CourseRole; at: Date; deactivated: boolean }) {
  const data = { role: e.role, syncedAt: e.at, deactivatedAt: e.deactivated ? e.at : null };
  return tx.rosterEntry.upsert({
    where: { courseId_userId: { courseId: e.courseId, userId: e.userId } },
    create: { courseId: e.courseId, userId: e.userId, ...data },
    update: data,
  });
}
