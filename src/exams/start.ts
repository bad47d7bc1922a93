/**
 * Starting an attempt: questions are drawn and every variant is issued in one transaction,
 * with the deadline set from the server clock. A second start while an attempt is open returns
 * that attempt; two racing starts are settled by the one-open-attempt unique index.
 *
 * Starting is the exam-start rush's hot path (a whole class within seconds), so it is kept to
 * two statements (start-sql.ts): one read of the exam, the caller's role, override and attempts,
 * and one INSERT of the attempt, its questions and their variants (atomic on its own). The
 * response is built from what was written, without reading it back.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ConstraintError, instantiate, type Variant as EngineVariant } from '../engine/index.js';
import type { AccessClaims } from '../plugins/auth.js';
import type { Prisma } from '../generated/prisma/client.js';
import { conflict, notFound, unprocessable } from '../errors.js';
import { isUniqueViolation } from '../db/errors.js';
import { resolvePool } from './pools.js';
import { drawQuestions, type ResolvedSection } from './draw.js';
import { deadlineFor, windowOf } from './window.js';
import { finishAttempt } from './finish.js';
import { blueprintFromText, type Blueprint } from './blueprint.js';
import type { AttemptRow } from './attempt-rows.js';
import type { LoadedAttempt } from './attempt-load.js';
import { insertAttempt, startState } from './start-sql.js';

const MAX_STORED_SEED = 2 ** 31 - 1;

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

/** A variant row's columns, its Json columns as the engine's plain values. */
function variantFields(versionId: string, v: EngineVariant, userId: string, courseId: string, attemptQuestionId: string) {
  return {
    templateVersionId: versionId,
    userId,
    courseId,
    attemptQuestionId,
    seed: v.seed,
    params: v.secret.params as unknown,
    answers: v.secret.answers as unknown,
    parts: v.secret.parts as unknown,
    prompt: v.public.prompt,
    solution: v.secret.solution,
  };
}

/**
 * startAttempt(app, user, unsafeExamId): { attemptId, created, started? }. A new attempt comes
 * back as `started`, built from what was written (no second read); an open one only by id.
 * Two statements: read (startState), write (one INSERT of attempt, questions and variants).
 */
export async function startAttempt(app: FastifyInstance, user: AccessClaims, unsafeExamId: string): Promise<{ attemptId: string; created: boolean; started?: LoadedAttempt }> {
  const st = await startState(app, unsafeExamId, user.sub);
  // Not a member, or a student and a draft: the exam does not exist for the caller.
  if (!st || (!st.role && !user.adm) || (st.status === 'DRAFT' && (st.role ?? 'INSTRUCTOR') === 'STUDENT')) throw notFound('exam');
  if (st.status !== 'PUBLISHED') throw conflict('EXAM_NOT_AVAILABLE', st.status === 'ARCHIVED' ? 'this exam is archived' : 'this exam is not published');
  const blueprint = blueprintFromText(st.blueprint);
  const w = windowOf(blueprint.policies, st.extraMinutes === null ? null : { extraMinutes: st.extraMinutes, closesAt: st.overrideClosesAt, extraAttempts: st.extraAttempts ?? 0 });
  const now = app.now();
  const mine = st.mine;
  const open = mine.find((a) => a.status === 'OPEN');
  if (open) {
    if (!open.deadline || new Date(open.deadline) > now) return { attemptId: open.id, created: false };
    await finishAttempt(app, open.id, 'deadline');
  }
  if (w.opensAt && now < w.opensAt) throw conflict('EXAM_NOT_OPEN', `this exam opens at ${w.opensAt.toISOString()}`);
  if (w.closesAt && now >= w.closesAt) throw conflict('EXAM_CLOSED', `this exam closed at ${w.closesAt.toISOString()}`);
  const used = mine.length;
  if (used >= w.maxAttempts) throw conflict('ATTEMPTS_EXHAUSTED', `all ${w.maxAttempts} attempts are used`);

  const drawn = drawQuestions(await resolvedSections(app, st.id, blueprint), blueprint.policies.shuffle, randomInt);
  const issued = await Promise.all(drawn.map((d) => issueExamVariant(app, d.templateId)));
  const attemptId = randomUUID();
  const questions = drawn.map((d, i) => ({
    id: randomUUID(),
    position: i + 1,
    sectionIndex: d.sectionIndex,
    templateId: d.templateId,
    maxPoints: d.points,
  }));
  // Encoded once, by the JSON.stringify of insertAttempt (what toJson would do per column).
  const variants = issued.map(({ versionId, v }, i) => ({ id: randomUUID(), ...variantFields(versionId, v, user.sub, st.courseId, (questions[i] as { id: string }).id) }));
  const maxPoints = drawn.reduce((s, d) => s + d.points, 0);
  const deadline = deadlineFor(w, now);
  // Variants are stamped by the app's clock, as Prisma stamps @default(now()) (a fresh variant
  // issued after a wrong try must sort after these).
  const createdAt = new Date();
  try {
    await insertAttempt(app, { id: attemptId, examId: st.id, userId: user.sub, number: used + 1, startedAt: now, deadline, maxPoints }, questions, variants, createdAt);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // Another tab started an attempt at the same moment: that one is the open attempt.
    const winner = (await startState(app, st.id, user.sub))?.mine.find((a) => a.status === 'OPEN');
    if (winner) return { attemptId: winner.id, created: false };
    throw conflict('ATTEMPT_CONFLICT', 'another attempt was started at the same time; retry');
  }
  const attempt: AttemptRow = {
    id: attemptId,
    examId: st.id,
    userId: user.sub,
    number: used + 1,
    status: 'OPEN',
    startedAt: now,
    deadline,
    finishedAt: null,
    maxPoints,
    points: 0,
    exam: { id: st.id, courseId: st.courseId, title: st.title, status: st.status },
    questions: questions.map((q, i) => {
      const v = variants[i] as (typeof variants)[number];
      const e = (issued[i] as (typeof issued)[number]).v;
      return {
        ...q,
        triesUsed: 0,
        earned: 0,
        overridePoints: null,
        savedAnswers: null,
        savedAt: null,
        variants: [
          {
            id: v.id,
            templateVersionId: v.templateVersionId,
            userId: v.userId,
            courseId: v.courseId,
            seed: v.seed,
            params: v.params as Prisma.JsonValue,
            answers: v.answers as Prisma.JsonValue,
            parts: v.parts as Prisma.JsonValue,
            prompt: v.prompt,
            solution: v.solution,
            createdAt,
            templateVersion: { id: v.templateVersionId, templateId: e.templateId, hash: e.templateHash, template: { title: e.public.title } },
          },
        ],
        submissions: [],
      };
    }),
  };
  return { attemptId, created: true, started: { attempt, blueprint, window: w, isOwner: true } };
}
