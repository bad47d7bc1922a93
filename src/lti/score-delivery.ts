/**
 * Automatic grade passback: the outbox's second consumer. In the webhook dispatcher's fan-out
 * transaction (the same claimed, SKIP LOCKED event rows), every attempt.finished and
 * score.changed event of an exam that an LTI resource link opens, for a student of the course
 * with an LTI identity of that link's platform, gets one LtiScoreDelivery per link (staff trying
 * an exam out publish nothing: platforms refuse grades for instructors). Due deliveries are then
 * leased, sent (AGS score POST) and retried with the dispatcher's backoff, exactly as webhook
 * deliveries are: all state is in the database, so a platform outage or a restart loses nothing.
 * What is sent is the student's exam score by the exam's score policy (best, latest, average of
 * the finished attempts) as it stands when it is sent, the same number the gradebook shows: an
 * event only says that it may have changed. One user's deliveries on one link are sent in event
 * order, each with its event's time, so the platform's last score is the current one.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Prisma, type LtiRegistration } from '../generated/prisma/client.js';
import type { RawQuery } from '../db/raw.js';
import { blueprintFromJson } from '../exams/blueprint.js';
import { scoreByPolicy, type ScorePolicy } from '../exams/scores.js';
import { createLineItem, PlatformHttpError, publishScore } from './ags.js';
import { outcomeUpdate } from '../webhooks/outcome.js';

const LEASE_SECONDS = 60;

interface DueRow {
  id: string;
  attempts: number;
  seq: string;
  payload: unknown;
  eventAt: Date;
  linkId: string;
  lineItemUrl: string | null;
  lineItemsUrl: string | null;
  resourceLinkId: string;
  examId: string | null;
  sub: string;
  registrationId: string;
}

const scorePayload = z.object({ examId: z.uuid(), userId: z.uuid(), points: z.number(), maxPoints: z.number() });

/** What a round reads once for all its deliveries. */
interface RoundLookups {
  registration: (id: string) => Promise<LtiRegistration | null>;
  policy: (examId: string) => Promise<ScorePolicy | null>;
}

/** memo(load): load once per key (the promise is kept, so concurrent callers share one read). */
function memo<T>(load: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const seen = new Map<string, Promise<T>>();
  return (key) => {
    let p = seen.get(key);
    if (!p) seen.set(key, (p = load(key)));
    return p;
  };
}

export interface ScoreDispatchOptions {
  batch: number;
  now: () => Date;
}

export class LtiScoreDispatch {
  constructor(
    private readonly app: FastifyInstance,
    private readonly options: ScoreDispatchOptions,
  ) {}

  /** fanOut(tx, eventIds): the score deliveries of the claimed events, in the caller's transaction. */
  async fanOut(tx: RawQuery, eventIds: string[]): Promise<void> {
    const now = this.options.now();
    await tx.query(Prisma.sql`
      INSERT INTO "LtiScoreDelivery" (id, "eventId", "resourceLinkId", "ltiUserId", "nextAttemptAt", "createdAt")
      SELECT gen_random_uuid(), e.id, l.id, u.id, ${now}::timestamptz, ${now}::timestamptz
      FROM "OutboxEvent" e
      JOIN "LtiResourceLink" l ON l."examId" = (e.payload->>'examId')::uuid
      JOIN "LtiUser" u ON u."userId" = (e.payload->>'userId')::uuid AND u.issuer = l.issuer
      JOIN "Membership" m ON m."userId" = u."userId" AND m."courseId" = e."courseId" AND m.role = 'STUDENT'
      WHERE e.id = ANY(${eventIds}::uuid[]) AND e.type IN ('attempt.finished', 'score.changed')
      ON CONFLICT ("eventId", "resourceLinkId") DO NOTHING`);
  }

  /** deliverDue(): sends the due score deliveries; how many were tried. */
  async deliverDue(): Promise<number> {
    const now = this.options.now();
    const due = await this.app.sql.query<DueRow>(Prisma.sql`
      UPDATE "LtiScoreDelivery" d SET "leaseUntil" = ${new Date(now.getTime() + LEASE_SECONDS * 1000)}::timestamptz
      FROM "OutboxEvent" e, "LtiResourceLink" l, "LtiUser" u
      WHERE d.id IN (
        SELECT id FROM "LtiScoreDelivery"
        WHERE status = 'PENDING' AND "nextAttemptAt" <= ${now}::timestamptz AND ("leaseUntil" IS NULL OR "leaseUntil" < ${now}::timestamptz)
        ORDER BY "nextAttemptAt" LIMIT ${this.options.batch}::int FOR UPDATE SKIP LOCKED
      ) AND e.id = d."eventId" AND l.id = d."resourceLinkId" AND u.id = d."ltiUserId"
      RETURNING d.id, d.attempts, e.seq::text AS seq, e.payload, e."createdAt" AS "eventAt", l.id AS "linkId", l."lineItemUrl", l."lineItemsUrl",
        l."resourceLinkId", l."examId"::text AS "examId", u.sub, l."registrationId"::text AS "registrationId"`);
    if (due.length === 0) return 0;
    const groups = new Map<string, DueRow[]>();
    for (const d of due) {
      const k = `${d.linkId} ${d.sub}`;
      groups.set(k, [...(groups.get(k) ?? []), d]);
    }
    // Read once per round: a round's deliveries are mostly one exam's, on one platform.
    const lookups: RoundLookups = {
      registration: memo((id) => this.app.prisma.ltiRegistration.findUnique({ where: { id } })),
      policy: memo(async (examId) => {
        const exam = await this.app.prisma.exam.findUnique({ where: { id: examId }, select: { blueprint: true } });
        return exam ? blueprintFromJson(exam.blueprint).policies.scorePolicy : null;
      }),
    };
    await Promise.all(
      [...groups.values()].map(async (rows) => {
        rows.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
        for (const d of rows) await this.deliver(d, lookups);
      }),
    );
    return due.length;
  }

  private async lineItemOf(d: DueRow, reg: LtiRegistration, maxPoints: number): Promise<string> {
    if (d.lineItemUrl) return d.lineItemUrl;
    // Re-read: another delivery of this link may have made it meanwhile.
    const link = await this.app.prisma.ltiResourceLink.findUniqueOrThrow({ where: { id: d.linkId }, include: { exam: { select: { title: true } } } });
    if (link.lineItemUrl) return link.lineItemUrl;
    if (!link.lineItemsUrl) throw new PlatformHttpError(null, 'the launch gave neither a line item nor a line items container');
    const url = await createLineItem(this.app.lti.tokens, reg, link.lineItemsUrl, {
      label: link.exam?.title ?? 'quizgrad exam',
      scoreMaximum: maxPoints,
      resourceLinkId: link.resourceLinkId,
      tag: 'quizgrad',
    });
    const won = await this.app.prisma.ltiResourceLink.updateMany({ where: { id: link.id, lineItemUrl: null }, data: { lineItemUrl: url } });
    if (won.count === 1) return url;
    return (await this.app.prisma.ltiResourceLink.findUniqueOrThrow({ where: { id: link.id } })).lineItemUrl ?? url;
  }

  /** The student's exam score by the exam's policy now (the event's attempt if none is finished, as after a reopen). */
  private async examScore(p: z.infer<typeof scorePayload>, policyOf: RoundLookups['policy']): Promise<{ points: number; maxPoints: number }> {
    const policy = await policyOf(p.examId);
    if (!policy) return p;
    const finished = await this.app.prisma.attempt.findMany({
      where: { examId: p.examId, userId: p.userId, status: 'FINISHED' },
      select: { id: true, number: true, points: true, maxPoints: true },
    });
    return scoreByPolicy(policy, finished) ?? p;
  }

  private async deliver(d: DueRow, lookups: RoundLookups): Promise<void> {
    let status: number | null = null;
    let error: string | null = null;
    try {
      const reg = await lookups.registration(d.registrationId);
      if (!reg) throw new PlatformHttpError(null, 'the registration was deleted');
      const score = await this.examScore(scorePayload.parse(d.payload), lookups.policy);
      const lineItem = await this.lineItemOf(d, reg, score.maxPoints);
      status = await publishScore(this.app.lti.tokens, reg, lineItem, {
        userId: d.sub,
        scoreGiven: Math.max(0, score.points),
        scoreMaximum: score.maxPoints > 0 ? score.maxPoints : 1,
        activityProgress: 'Completed',
        gradingProgress: 'FullyGraded',
        timestamp: d.eventAt.toISOString(),
      });
    } catch (err) {
      if (err instanceof PlatformHttpError) status = err.status;
      error = err instanceof Error ? err.message : String(err);
    }
    await this.app.sql.query(outcomeUpdate('LtiScoreDelivery', d, { status, error }, this.options.now()));
  }
}
