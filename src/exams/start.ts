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
import { ConstraintError, type Variant as EngineVariant } from '../engine/index.js';
import type { Prisma } from '../generated/prisma/client.js';
import { conflict, notFound, unprocessable } from '../errors.js';
import { isUniqueViolation } from '../db/errors.js';
import { resolvePool } from './pools.js';
import { drawVariant } from '../catalogue/evaluate.js';
import { drawQuestions, type ResolvedSection } from './draw.js';
import { deadlineFor, overrideOf, windowOf } from './window.js';
import { finishAttempt } from './finish.js';
import { blueprintFromText, type Blueprint } from './blueprint.js';
import type { AttemptRow, QuestionRow } from './attempt-rows.js';
import type { QuestionVariant } from './question-grading.js';
import { courseRef, hiddenFrom, type UserPrincipal } from '../authz/index.js';
import type { LoadedAttempt } from './attempt-load.js';
import { insertAttempt, startState } from '../repos/attempts/start-sql.js';

/** The sections of a blueprint with their pools resolved in the exam's course (the catalogue's snapshot, cached there). */
async function resolvedSections(app: FastifyInstance, courseId: string, b: Blueprint): Promise<ResolvedSection[]> {
  const visible = await app.catalogue.of(courseId);
  return b.sections.map((s) => {
    const r = resolvePool(visible, s.pool);
    return { count: s.count, points: s.points, templateIds: r.templateIds, ...(r.groups ? { groups: r.groups } : {}) };
  });
}

/** A variant of the template's current version; a rare unsatisfiable seed is retried. */
export async function issueExamVariant(app: FastifyInstance, courseId: string, templateId: string): Promise<{ versionId: string; v: EngineVariant }> {
  const loaded = await app.catalogue.current(courseId, templateId);
  try {
    return { versionId: loaded.versionId, v: await drawVariant(app, loaded) };
  } catch (err) {
    if (err instanceof ConstraintError) throw unprocessable('TEMPLATE_UNSATISFIABLE', `template ${templateId} could not produce a variant`);
    throw err;
  }
}

/**
 * startAttempt(app, user, unsafeExamId): { attemptId, created, started? }. A new attempt comes
 * back as `started`, built from what was written (no second read); an open one only by id.
 * Two statements: read (startState), write (one INSERT of attempt, questions and variants).
 */
export async function startAttempt(
  app: FastifyInstance,
  principal: UserPrincipal,
  unsafeExamId: string,
): Promise<{ attemptId: string; created: boolean; started?: LoadedAttempt }> {
  const st = await startState(app, unsafeExamId, principal.userId);
  if (!st) throw notFound('exam');
  // Not a member, or a student and a draft: the exam does not exist for the caller (as in authorizeExam).
  const { role } = courseRef(principal, st.courseId, st.role, 'member', 'exam');
  if (hiddenFrom(role, st.status)) throw notFound('exam');
  if (st.status !== 'PUBLISHED') throw conflict('EXAM_NOT_AVAILABLE', st.status === 'ARCHIVED' ? 'this exam is archived' : 'this exam is not published');
  const blueprint = blueprintFromText(st.blueprint);
  const w = windowOf(blueprint.policies, overrideOf(st));
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

  const drawn = drawQuestions(await resolvedSections(app, st.courseId, blueprint), blueprint.policies.shuffle, randomInt);
  const issued = await Promise.all(drawn.map((d) => issueExamVariant(app, st.courseId, d.templateId)));
  const attemptId = randomUUID();
  // Variants are stamped by the app's clock, as Prisma stamps @default(now()) (a fresh variant
  // issued after a wrong try must sort after these).
  const createdAt = new Date();
  // The questions as the attempt view reads them; the INSERT takes the same objects as JSON.
  const questions: QuestionRow[] = drawn.map((d, i) => {
    const { versionId, v } = issued[i];
    const variant: QuestionVariant = {
      id: randomUUID(),
      templateVersionId: versionId,
      userId: principal.userId,
      courseId: st.courseId,
      context: 'EXAM',
      seed: v.seed,
      params: v.secret.params as Prisma.JsonValue,
      answers: v.secret.answers,
      parts: v.secret.parts as unknown as Prisma.JsonValue,
      prompt: v.public.prompt,
      solution: v.secret.solution,
      createdAt,
      templateVersion: { id: versionId, templateId: v.templateId, hash: v.templateHash, template: { title: v.public.title } },
    };
    return {
      id: randomUUID(),
      position: i + 1,
      sectionIndex: d.sectionIndex,
      templateId: d.templateId,
      maxPoints: d.points,
      triesUsed: 0,
      earned: 0,
      overridePoints: null,
      savedAnswers: null,
      savedAt: null,
      variants: [variant],
      submissions: [],
    };
  });
  const maxPoints = drawn.reduce((s, d) => s + d.points, 0);
  const deadline = deadlineFor(w, now);
  try {
    await insertAttempt(app, { id: attemptId, examId: st.id, userId: principal.userId, number: used + 1, startedAt: now, deadline, maxPoints }, questions);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // Another tab started an attempt at the same moment: that one is the open attempt.
    const winner = (await startState(app, st.id, principal.userId))?.mine.find((a) => a.status === 'OPEN');
    if (winner) return { attemptId: winner.id, created: false };
    throw conflict('ATTEMPT_CONFLICT', 'another attempt was started at the same time; retry');
  }
  const attempt: AttemptRow = {
    id: attemptId,
    examId: st.id,
    userId: principal.userId,
    number: used + 1,
    status: 'OPEN',
    startedAt: now,
    deadline,
    finishedAt: null,
    maxPoints,
    points: 0,
    exam: { id: st.id, courseId: st.courseId, title: st.title, status: st.status },
    questions,
  };
  return { attemptId, created: true, started: { attempt, blueprint, window: w, isOwner: true } };
}
