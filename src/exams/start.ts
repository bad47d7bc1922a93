/**
 * Starting an attempt: questions are drawn and every variant is issued in one transaction,
 * with the deadline set from the server clock. A second start while an attempt is open returns
 * that attempt; two racing starts are settled by the one-open-attempt unique index.
 *
 * Starting is the exam-start rush's hot path (a whole class within seconds), so it is kept to
 * few round trips: the caller's attempts and overrides are read at once, and the attempt, its
 * questions and their variants are written by one INSERT statement (atomic on its own).
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { LoadedVersion } from '../catalogue/versions.js';
import { ConstraintError, instantiate, type Variant as EngineVariant } from '../engine/index.js';
import type { AccessClaims } from '../plugins/auth.js';
import { conflict, unprocessable } from '../errors.js';
import { isUniqueViolation } from '../db/errors.js';
import { loadExamFor } from './exams.js';
import { resolvePool } from './pools.js';
import { drawQuestions, type ResolvedSection } from './draw.js';
import { deadlineFor, studentWindow } from './window.js';
import { finishAttempt } from './finish.js';
import type { Blueprint } from './blueprint.js';

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

// The current version of a template is cached briefly (app.versions); when the cache expires in
// the middle of a rush, every start in flight would reload and re-check the same templates.
// Concurrent loads of one template share the first one instead.
const versionLoads = new WeakMap<object, Map<string, Promise<LoadedVersion>>>();

function currentVersion(app: FastifyInstance, templateId: string): Promise<LoadedVersion> {
  let loads = versionLoads.get(app.versions);
  if (!loads) versionLoads.set(app.versions, (loads = new Map()));
  const pending = loads.get(templateId);
  if (pending) return pending;
  const load = app.versions.currentOf(templateId).finally(() => loads.delete(templateId));
  loads.set(templateId, load);
  return load;
}

/** A variant of the template's current version; a rare unsatisfiable seed is retried. */
export async function issueExamVariant(app: FastifyInstance, templateId: string): Promise<{ versionId: string; v: EngineVariant }> {
  const loaded = await currentVersion(app, templateId);
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

/** The caller's attempts at an exam (at most maxAttempts rows; at most one OPEN). */
function attemptsOf(app: FastifyInstance, examId: string, userId: string): Promise<{ id: string; status: string; deadline: Date | null }[]> {
  return app.prisma.$queryRaw`
    SELECT id::text AS id, status::text AS status, deadline FROM "Attempt" WHERE "examId" = ${examId}::uuid AND "userId" = ${userId}::uuid`;
}

/** startAttempt(app, user, unsafeExamId): { attemptId, created }. */
export async function startAttempt(app: FastifyInstance, user: AccessClaims, unsafeExamId: string): Promise<{ attemptId: string; created: boolean }> {
  const { exam, blueprint } = await loadExamFor(app, user, unsafeExamId);
  if (exam.status !== 'PUBLISHED') throw conflict('EXAM_NOT_AVAILABLE', exam.status === 'ARCHIVED' ? 'this exam is archived' : 'this exam is not published');
  const now = app.now();
  // Both reads at once: the open attempt (if any), how many attempts were used, the overrides.
  const [mine, w] = await Promise.all([attemptsOf(app, exam.id, user.sub), studentWindow(app, exam.id, user.sub, blueprint.policies)]);
  const open = mine.find((a) => a.status === 'OPEN');
  if (open) {
    if (!open.deadline || open.deadline > now) return { attemptId: open.id, created: false };
    await finishAttempt(app, open.id, 'deadline');
  }
  if (w.opensAt && now < w.opensAt) throw conflict('EXAM_NOT_OPEN', `this exam opens at ${w.opensAt.toISOString()}`);
  if (w.closesAt && now >= w.closesAt) throw conflict('EXAM_CLOSED', `this exam closed at ${w.closesAt.toISOString()}`);
  const used = mine.length;
  if (used >= w.maxAttempts) throw conflict('ATTEMPTS_EXHAUSTED', `all ${w.maxAttempts} attempts are used`);

  const drawn = drawQuestions(await resolvedSections(app, exam.id, blueprint), blueprint.policies.shuffle, randomInt);
  const issued = await Promise.all(drawn.map((d) => issueExamVariant(app, d.templateId)));
  const attemptId = randomUUID();
  const questions = drawn.map((d, i) => ({
    id: randomUUID(),
    position: i + 1,
    sectionIndex: d.sectionIndex,
    templateId: d.templateId,
    maxPoints: d.points,
  }));
  // Encoded once, by the JSON.stringify below (what toJson would do per column).
  const variants = issued.map(({ versionId, v }, i) => ({ id: randomUUID(), ...variantFields(versionId, v, user.sub, exam.courseId, (questions[i] as { id: string }).id) }));
  const maxPoints = drawn.reduce((s, d) => s + d.points, 0);
  // Variants are stamped by the app's clock, as Prisma stamps @default(now()) (a fresh variant
  // issued after a wrong try must sort after these).
  const createdAt = new Date();
  try {
    // One statement: the attempt, its questions and their variants are written together or not
    // at all. Rows come in as JSON (jsonb_to_recordset), so the statement's size does not depend
    // on the number of questions.
    await app.prisma.$executeRaw`
      WITH attempt AS (
        INSERT INTO "Attempt" (id, "examId", "userId", number, "startedAt", deadline, "maxPoints")
        VALUES (${attemptId}::uuid, ${exam.id}::uuid, ${user.sub}::uuid, ${used + 1}::int, ${now}::timestamptz, ${deadlineFor(w, now)}::timestamptz, ${maxPoints}::float8)
      ), questions AS (
        INSERT INTO "AttemptQuestion" (id, "attemptId", position, "sectionIndex", "templateId", "maxPoints")
        SELECT q.id, ${attemptId}::uuid, q.position, q."sectionIndex", q."templateId", q."maxPoints"
        FROM jsonb_to_recordset(${JSON.stringify(questions)}::jsonb) AS q(id uuid, position int, "sectionIndex" int, "templateId" text, "maxPoints" float8)
      )
      INSERT INTO "Variant" (id, "templateVersionId", "userId", "courseId", "attemptQuestionId", seed, params, answers, parts, prompt, solution, "createdAt")
      SELECT v.id, v."templateVersionId", v."userId", v."courseId", v."attemptQuestionId", v.seed, v.params, v.answers, v.parts, v.prompt, v.solution, ${createdAt}::timestamptz
      FROM jsonb_to_recordset(${JSON.stringify(variants)}::jsonb)
        AS v(id uuid, "templateVersionId" uuid, "userId" uuid, "courseId" uuid, "attemptQuestionId" uuid, seed int, params jsonb, answers jsonb, parts jsonb, prompt text, solution text)`;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // Another tab started an attempt at the same moment: that one is the open attempt.
    const winner = (await attemptsOf(app, exam.id, user.sub)).find((a) => a.status === 'OPEN');
    if (winner) return { attemptId: winner.id, created: false };
    throw conflict('ATTEMPT_CONFLICT', 'another attempt was started at the same time; retry');
  }
  return { attemptId, created: true };
}
