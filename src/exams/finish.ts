/**
 * Finishing an attempt, by the student or because its deadline passed (at the next touch or
 * by the periodic sweep). Saved answers that were never graded are graded now as a try, so
 * nothing a student saved before the deadline is lost. Idempotent: finishing twice is a no-op.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { canonicalJson } from '../engine/index.js';
import { blueprintFromText, tryCredit } from './blueprint.js';
import { gradeLoaded, tryPoints } from './question-grading.js';
import { attemptQuery, questionFromJson } from './attempt-rows.js';
import { Prisma } from '../generated/prisma/client.js';
import { writeFinish, type FinishTry } from '../repos/attempts/finish-sql.js';
import type { RawQuery } from '../db/raw.js';

export type FinishedBy = 'student' | 'deadline';

type Graded = FinishTry;

/**
 * finishAttempt(app, attemptId, by, ownerId?): finishes an open attempt (a no-op when it is
 * finished already); false when there is no such attempt, or ownerId is given and is not its
 * owner's. A student finishing after the deadline finishes it as the deadline would.
 * One transaction of three statements: lock the attempt, read it, write everything.
 */
export async function finishAttempt(app: FastifyInstance, attemptId: string, by: FinishedBy, ownerId?: string): Promise<boolean> {
  for (let round = 0; round < 3; round++) {
    const out = await app.sql.transaction((tx) => finishIn(app, tx, attemptId, by, ownerId));
    if (typeof out === 'boolean') return out;
    // Grading needs template versions this process has not compiled yet. They are loaded
    // outside the transaction (PGlite has a single connection, held by the transaction).
    await Promise.all(out.missing.map((id) => app.catalogue.version(id)));
  }
  throw new Error(`attempt ${attemptId}: template versions could not be loaded`);
}

async function finishIn(app: FastifyInstance, tx: RawQuery, attemptId: string, by: FinishedBy, ownerId?: string): Promise<boolean | { missing: string[] }> {
  const now = app.now();
  // The attempt row lock serialises finishing with tries and saves of the same attempt.
  const [locked] = await tx.query<{ status: string; userId: string; deadline: Date | null }>(Prisma.sql`/* qg:finish-lock */
    SELECT status::text AS status, "userId"::text AS "userId", deadline FROM "Attempt" WHERE id = ${attemptId}::uuid FOR UPDATE`);
  if (!locked || (ownerId !== undefined && locked.userId !== ownerId)) return false;
  if (locked.status !== 'OPEN') return true;
  const r = await attemptQuery(tx, attemptId, locked.userId);
  if (!r) return false;
  const p = blueprintFromText(r.blueprint).policies;
  const graded: Graded[] = [];
  const missing: string[] = [];
  let points = 0;
  for (const q of r.questions.map(questionFromJson)) {
    let earned = q.earned;
    const v = q.variants[0];
    const saved = q.savedAnswers as Record<string, unknown> | null;
    const last = q.submissions[0];
    const ungraded = saved !== null && Object.keys(saved).length > 0 && (!last || canonicalJson(last.answers) !== canonicalJson(saved));
    if (v && saved && ungraded && q.triesUsed < p.triesPerQuestion && (last?.score ?? 0) < 1) {
      const version = app.catalogue.peek(v.templateVersionId);
      if (!version) {
        missing.push(v.templateVersionId);
        continue;
      }
      const g = await gradeLoaded(app, version, v, saved);
      const tryNumber = q.triesUsed + 1;
      const pts = tryPoints(q.maxPoints, tryCredit(p, tryNumber), g.score);
      earned = Math.max(earned, pts);
      graded.push({
        id: randomUUID(),
        variantId: v.id,
        attemptQuestionId: q.id,
        tryNumber,
        answers: saved,
        results: g.parts,
        score: g.score,
        points: pts,
        maxPoints: q.maxPoints,
        requestHash: createHash('sha256')
          .update(canonicalJson({ finish: q.id, saved }))
          .digest('hex'),
        earned,
      });
    }
    points += q.overridePoints ?? earned;
  }
  if (missing.length > 0) return { missing };
  // After the deadline (the sweep, or a student finishing late) it counts as finished at its deadline.
  const late = r.deadline !== null && r.deadline <= now;
  const finishedBy: FinishedBy = late ? 'deadline' : by;
  const finishedAt = late && r.deadline ? r.deadline : now;
  await writeFinish(tx, {
    attemptId,
    courseId: r.courseId,
    examId: r.examId,
    userId: r.userId,
    number: r.number,
    maxPoints: r.maxPoints,
    points,
    finishedAt,
    finishedBy,
    tries: graded,
  });
  return true;
}

/** finishIfExpired(app, attempt): true when the attempt's deadline has passed (and it is now finished). */
export async function finishIfExpired(app: FastifyInstance, a: { id: string; status: string; deadline: Date | null }): Promise<boolean> {
  if (a.status !== 'OPEN' || !a.deadline || a.deadline > app.now()) return false;
  await finishAttempt(app, a.id, 'deadline');
  return true;
}

/** sweepExpired(app): finishes every open attempt past its deadline; returns how many. */
export async function sweepExpired(app: FastifyInstance, batch = 200): Promise<number> {
  const due = await app.prisma.attempt.findMany({ where: { status: 'OPEN', deadline: { lte: app.now() } }, select: { id: true }, take: batch });
  for (const a of due) {
    try {
      await finishAttempt(app, a.id, 'deadline');
    } catch (err) {
      app.log.error({ err, attemptId: a.id }, 'could not finish an expired attempt; will retry at the next sweep');
    }
  }
  return due.length;
}
