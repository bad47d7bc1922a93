/**
 * The webhook dispatcher: turns outbox events into deliveries and delivers them.
 * - Fan-out: events not yet fanned out are claimed with FOR UPDATE SKIP LOCKED (so two
 *   instances never take the same one), each gets one delivery per active endpoint of its
 *   course that wants its type (unique per event and endpoint), and is marked fanned out, in
 *   one transaction.
 * - Delivery: due deliveries are leased (leaseUntil, claimed with SKIP LOCKED) so that no two
 *   instances send the same one at once; each is POSTed with its signature; a 2xx is
 *   DELIVERED, anything else is retried with exponential backoff and full jitter until
 *   MAX_ATTEMPTS, then FAILED. Each try is logged (WebhookDeliveryTry: when, the answer or
 *   the error, how long it took) by the statement that records its outcome. A crash
 *   mid-delivery leaves the lease to expire and the delivery is sent again: at least once,
 *   with the event id for de-duplication.
 * Everything it needs is in the database, so a restart loses nothing.
 * - LTI grade passback rides on the same rounds (lti/score-delivery.ts): its deliveries are made
 *   in the fan-out transaction, and leased, sent and retried with the same backoff.
 */
import type { FastifyInstance } from 'fastify';
import { Prisma } from '../generated/prisma/client.js';
import { sign, SIGNATURE_HEADER } from './signature.js';
import type { OutboundFetch } from '../net/outbound.js';
import { LtiScoreDispatch } from '../lti/score-delivery.js';

import { outcomeUpdate } from './outcome.js';

export { backoffSeconds, MAX_ATTEMPTS } from './outcome.js';
const LEASE_SECONDS = 60;
const TIMEOUT_MS = 10_000;

export interface DispatchOptions {
  /** Events fanned out / deliveries sent per round. */
  batch?: number;
  now?: () => Date;
  fetch?: OutboundFetch;
}

interface DueRow {
  id: string;
  attempts: number;
  url: string;
  secret: string;
  eventId: string;
  type: string;
  courseId: string;
  payload: unknown;
  createdAt: Date;
}

export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  private readonly scores: LtiScoreDispatch;

  constructor(
    private readonly app: FastifyInstance,
    private readonly options: DispatchOptions = {},
  ) {
    this.scores = new LtiScoreDispatch(app, { batch: options.batch ?? 100, now: () => this.now() });
  }

  /** Runs a round every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .catch((err: unknown) => this.app.log.error({ err }, 'webhook dispatch failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, intervalMs).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One round: fan out new events, then send what is due (webhooks, then LTI scores); how many of each. */
  async runOnce(): Promise<{ fannedOut: number; sent: number; scoresSent: number }> {
    const fannedOut = await this.fanOut();
    const [sent, scoresSent] = await Promise.all([this.deliverDue(), this.scores.deliverDue()]);
    return { fannedOut, sent, scoresSent };
  }

  private now(): Date {
    return this.options.now?.() ?? this.app.now();
  }

  private async fanOut(): Promise<number> {
    const batch = this.options.batch ?? 100;
    return this.app.sql.transaction(async (tx) => {
      const events = await tx.query<{ id: string }>(Prisma.sql`
        SELECT id FROM "OutboxEvent" WHERE "fannedOutAt" IS NULL ORDER BY seq LIMIT ${batch}::int FOR UPDATE SKIP LOCKED`);
      if (events.length === 0) return 0;
      const ids = events.map((e) => e.id);
      await tx.query(Prisma.sql`
        INSERT INTO "WebhookDelivery" (id, "eventId", "endpointId", "nextAttemptAt", "createdAt")
        SELECT gen_random_uuid(), e.id, w.id, ${this.now()}::timestamptz, ${this.now()}::timestamptz
        FROM "OutboxEvent" e JOIN "WebhookEndpoint" w ON w."courseId" = e."courseId" AND w."disabledAt" IS NULL AND e.type = ANY(w.events)
        WHERE e.id = ANY(${ids}::uuid[])
        ON CONFLICT ("eventId", "endpointId") DO NOTHING`);
      await this.scores.fanOut(tx, ids);
      await tx.query(Prisma.sql`UPDATE "OutboxEvent" SET "fannedOutAt" = ${this.now()}::timestamptz WHERE id = ANY(${ids}::uuid[])`);
      return events.length;
    });
  }

  private async deliverDue(): Promise<number> {
    const batch = this.options.batch ?? 100;
    const now = this.now();
    const due = await this.app.sql.query<DueRow>(Prisma.sql`
      UPDATE "WebhookDelivery" d SET "leaseUntil" = ${new Date(now.getTime() + LEASE_SECONDS * 1000)}::timestamptz
      FROM "WebhookEndpoint" w, "OutboxEvent" e
      WHERE d.id IN (
        SELECT id FROM "WebhookDelivery"
        WHERE status = 'PENDING' AND "nextAttemptAt" <= ${now}::timestamptz AND ("leaseUntil" IS NULL OR "leaseUntil" < ${now}::timestamptz)
        ORDER BY "nextAttemptAt" LIMIT ${batch}::int FOR UPDATE SKIP LOCKED
      ) AND w.id = d."endpointId" AND e.id = d."eventId"
      RETURNING d.id, d.attempts, w.url, w.secret, e.id AS "eventId", e.type, e."courseId"::text AS "courseId", e.payload, e."createdAt"`);
    await Promise.all(due.map((d) => this.deliver(d)));
    return due.length;
  }

  private async deliver(d: DueRow): Promise<void> {
    const body = JSON.stringify({ id: d.eventId, type: d.type, courseId: d.courseId, createdAt: d.createdAt.toISOString(), data: d.payload });
    const sentAt = this.now();
    const t = Math.floor(sentAt.getTime() / 1000);
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await (this.options.fetch ?? this.app.outboundFetch)(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'quizgrad-webhooks/1',
          'quizgrad-event-id': d.eventId,
          'quizgrad-event-type': d.type,
          [SIGNATURE_HEADER]: sign(d.secret, body, t),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      status = res.status;
      await res.body?.cancel();
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    // The try's line in the delivery log, written with the delivery's new state.
    await this.app.sql.query(Prisma.sql`WITH try AS (
        INSERT INTO "WebhookDeliveryTry" (id, "deliveryId", at, status, error, "durationMs")
        VALUES (gen_random_uuid(), ${d.id}::uuid, ${sentAt}::timestamptz, ${status}::int, ${error?.slice(0, 500) ?? null}, ${Math.round(performance.now() - started)}::int)
      ) ${outcomeUpdate('WebhookDelivery', d, { status, error }, this.now())}`);
  }
}
