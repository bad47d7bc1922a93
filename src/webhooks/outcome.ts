/**
 * What a try of an outbox delivery leaves behind, for both kinds of delivery (webhooks,
 * LTI scores): DELIVERED on success; otherwise PENDING with the next try after a backoff,
 * or FAILED after the last one. The lease is released either way.
 */
import { Prisma } from '../generated/prisma/client.js';

export const MAX_ATTEMPTS = 15;

/** Seconds before retry n (1-based): full jitter over min(1 h, 5 s × 2^(n−1)); 15 tries span about 8 h. */
export function backoffSeconds(attempt: number, random = Math.random): number {
  const cap = Math.min(3600, 5 * 2 ** (attempt - 1));
  return Math.max(1, Math.round(cap * (0.5 + random() / 2)));
}

export interface TryOutcome {
  /** The HTTP status, when one came back. */
  status: number | null;
  /** Why the try failed (null: it succeeded). */
  error: string | null;
}

/** outcomeUpdate(table, delivery, outcome, now): the UPDATE that records the try (its `attempts` are those before it). */
export function outcomeUpdate(
  table: 'WebhookDelivery' | 'LtiScoreDelivery',
  d: { id: string; attempts: number },
  { status, error }: TryOutcome,
  now: Date,
): Prisma.Sql {
  const attempts = d.attempts + 1;
  const t = Prisma.raw(`"${table}"`);
  if (error === null) {
    return Prisma.sql`UPDATE ${t} SET status = 'DELIVERED', attempts = ${attempts}::int, "lastStatus" = ${status}::int, "lastError" = NULL,
      "deliveredAt" = ${now}::timestamptz, "leaseUntil" = NULL WHERE id = ${d.id}::uuid`;
  }
  const failed = attempts >= MAX_ATTEMPTS;
  const next = new Date(now.getTime() + backoffSeconds(attempts) * 1000);
  return Prisma.sql`UPDATE ${t} SET status = ${failed ? 'FAILED' : 'PENDING'}, attempts = ${attempts}::int, "lastStatus" = ${status}::int,
    "lastError" = ${error.slice(0, 500)}, "nextAttemptAt" = ${next}::timestamptz, "leaseUntil" = NULL WHERE id = ${d.id}::uuid`;
}
