/**
 * The outbox: events for integrations, inserted by the repository of the aggregate that
 * changed, in the transaction of the change (so there is never a change without its event, nor
 * an event of a change that was rolled back). Payloads are validated here, one schema per type.
 */
import { z } from 'zod';
import type { Prisma } from '../generated/prisma/client.js';
import { toJson } from '../db/json.js';

export const rosterChanged = z.strictObject({
  change: z.enum(['added', 'role-changed', 'removed']),
  userId: z.uuid(),
  role: z.enum(['STUDENT', 'TA', 'INSTRUCTOR']).nullable(),
  previousRole: z.enum(['STUDENT', 'TA', 'INSTRUCTOR']).nullable(),
  /** What made the change: an instructor's edit, an invite code, the course's creation, leaving, an LMS roster sync, an LTI launch or roster pull. */
  via: z.enum(['staff', 'invite', 'course-created', 'self', 'roster-sync', 'lti']),
});

/** The attempt and its score, as both attempt events carry them. */
const attemptScore = {
  attemptId: z.uuid(),
  examId: z.uuid(),
  userId: z.uuid(),
  number: z.number().int(),
  points: z.number(),
  maxPoints: z.number(),
};

export const attemptFinished = z.strictObject({
  ...attemptScore,
  finishedAt: z.iso.datetime(),
  finishedBy: z.enum(['student', 'deadline']),
});

export const scoreChanged = z.strictObject({
  ...attemptScore,
  previousPoints: z.number(),
  via: z.enum(['override', 'regrade']),
  /** The regrade's id (via regrade). */
  regradeId: z.uuid().optional(),
});

export const EVENT_SCHEMAS = { 'roster.changed': rosterChanged, 'attempt.finished': attemptFinished, 'score.changed': scoreChanged } as const;
export type EventType = keyof typeof EVENT_SCHEMAS;
export type EventPayload<T extends EventType> = z.infer<(typeof EVENT_SCHEMAS)[T]>;

/** Inserts one event in `tx` (the change's transaction). */
export async function emit<T extends EventType>(tx: Prisma.TransactionClient, courseId: string, type: T, payload: EventPayload<T>): Promise<void> {
  const valid = EVENT_SCHEMAS[type].parse(payload);
  await tx.outboxEvent.create({ data: { courseId, type, payload: toJson(valid) } });
}

/**
 * An event as a parameter of a raw SQL statement (the hot paths write with app.sql): the
 * payload validated here, inserted by the statement's own `INSERT INTO "OutboxEvent"`.
 */
export function eventJson<T extends EventType>(type: T, payload: EventPayload<T>): string {
  return JSON.stringify(EVENT_SCHEMAS[type].parse(payload));
}
