/**
 * Starting an attempt: questions are drawn and every variant is issued in one transaction,
 * with the deadline set from the server clock. A second start while an attempt is open returns
 * that attempt; two racing starts are settled by the one-open-attempt unique index.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ConstraintError, instantiate, type Variant as EngineVariant } from '../engine/index.js';
import type { AccessClaims } from '../plugins/auth.js';
import { conflict, unprocessable } from '../errors.js';
import { toJson } from '../db/json.js';
import { loadExamFor } from './exams.js';
import { resolvePool } from './pools.js';
import { drawQuestions, type ResolvedSection } from './draw.js';
import { deadlineFor, studentWindow } from './window.js';
import { finishAttempt } from './finish.js';
import type { Blueprint } from './blueprint.js';

const MAX_STORED_SEED = 2 ** 31 - 1;

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'P2002';
}

// A published blueprint is frozen, so its resolved pools can be reused briefly across the
// exam-start rush instead of querying the catalogue for every student.
const poolCache = new Map<string, { at: number; sections: Promise<ResolvedSection[]> }>();
const POOL_TTL_MS = 10_000;

function resolvedSections(app: FastifyInstance, examId: string, b: Blueprint): Promise<ResolvedSection[]> {
  const hit = poolCache.get(examId);
  if (hit && Date.now() - hit.at < POOL_TTL_MS) return hit.sections;
  const sections = Promise.all(
    b.sections.map(async (s) => {
      const r = await resolvePool(app.prisma, s.pool);
      return { count: s.count, points: s.points, templateIds: r.templateIds, ...(r.groups ? { groups: r.groups } : {}) };
    }),
  );
  sections.catch(() => poolCache.delete(examId));
  poolCache.set(examId, { at: Date.now(), sections });
  return sections;
}

/** A variant of the template's current version; a rare unsatisfiable seed is retried. */
export async function issueExamVariant(app: FastifyInstance, templateId: string): Promise<{ versionId: string; v: EngineVariant }> {
  const loaded = await app.versions.currentOf(templateId);
  for (let i = 0; i < 5; i++) {
    try {
      return { versionId: loaded.versionId, v: instantiate(loaded.compiled, randomInt(MAX_STORED_SEED)) };
    } catch (err) {
      if (!(err instanceof ConstraintError)) throw err;
    }
  }
  throw unprocessable('TEMPLATE_UNSATISFIABLE', `template ${templateId} could not produce a variant`);
}

export function variantData(versionId: string, v: EngineVariant, userId: string, courseId: string, attemptQuestionId: string) {
  return {
    templateVersionId: versionId,
    userId,
    courseId,
    attemptQuestionId,
    seed: v.seed,
    params: toJson(v.secret.params),
    answers: toJson(v.secret.answers),
    parts: toJson(v.secret.parts),
    prompt: v.public.prompt,
    solution: v.secret.solution,
  };
}

/** startAttempt(app, user, unsafeExamId): { attemptId, created }. */
export async function startAttempt(app: FastifyInstance, user: AccessClaims, unsafeExamId: string): Promise<{ attemptId: string; created: boolean }> {
  const { exam, blueprint } = await loadExamFor(app, user, unsafeExamId);
  if (exam.status !== 'PUBLISHED') throw conflict('EXAM_NOT_AVAILABLE', exam.status === 'ARCHIVED' ? 'this exam is archived' : 'this exam is not published');
  const now = app.now();
  const open = await app.prisma.attempt.findFirst({ where: { examId: exam.id, userId: user.sub, status: 'OPEN' }, select: { id: true, deadline: true } });
  if (open) {
    if (!open.deadline || open.deadline > now) return { attemptId: open.id, created: false };
    await finishAttempt(app, open.id, 'deadline');
  }
  const w = await studentWindow(app, exam.id, user.sub, blueprint.policies);
  if (w.opensAt && now < w.opensAt) throw conflict('EXAM_NOT_OPEN', `this exam opens at ${w.opensAt.toISOString()}`);
  if (w.closesAt && now >= w.closesAt) throw conflict('EXAM_CLOSED', `this exam closed at ${w.closesAt.toISOString()}`);
  const used = await app.prisma.attempt.count({ where: { examId: exam.id, userId: user.sub } });
  if (used >= w.maxAttempts) throw conflict('ATTEMPTS_EXHAUSTED', `all ${w.maxAttempts} attempts are used`);

  const drawn = drawQuestions(await resolvedSections(app, exam.id, blueprint), blueprint.policies.shuffle, randomInt);
  const issued = await Promise.all(drawn.map((d) => issueExamVariant(app, d.templateId)));
  const attemptId = randomUUID();
  const questions = drawn.map((d, i) => ({
    id: randomUUID(),
    attemptId,
    position: i + 1,
    sectionIndex: d.sectionIndex,
    templateId: d.templateId,
    maxPoints: d.points,
  }));
  try {
    await app.prisma.$transaction([
      app.prisma.attempt.create({
        data: {
          id: attemptId,
          examId: exam.id,
          userId: user.sub,
          number: used + 1,
          startedAt: now,
          deadline: deadlineFor(w, now),
          maxPoints: drawn.reduce((s, d) => s + d.points, 0),
        },
      }),
      app.prisma.attemptQuestion.createMany({ data: questions }),
      app.prisma.variant.createMany({
        data: issued.map(({ versionId, v }, i) => variantData(versionId, v, user.sub, exam.courseId, (questions[i] as { id: string }).id)),
      }),
    ]);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // Another tab started an attempt at the same moment: that one is the open attempt.
    const winner = await app.prisma.attempt.findFirst({ where: { examId: exam.id, userId: user.sub, status: 'OPEN' }, select: { id: true } });
    if (winner) return { attemptId: winner.id, created: false };
    throw conflict('ATTEMPT_CONFLICT', 'another attempt was started at the same time; retry');
  }
  return { attemptId, created: true };
}
