/**
 * Issuing practice variants and reading them back. A variant row stores everything grading
 * needs (parameters, answers, grading rules, the template version), so grading never depends
 * on the template's current version.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ConstraintError, publicPart, type AnswerValue, type GradingPart, type PartResult, type Variant as EngineVariant } from '../engine/index.js';
import { authorizeCourse, type UserPrincipal, type VariantRef } from '../authz/index.js';
import { conflict, notFound, unprocessable } from '../errors.js';
import { fromJson } from '../db/json.js';
import { drawVariant } from '../catalogue/evaluate.js';
import type { Prisma } from '../generated/prisma/client.js';

/** Seeds fit a PostgreSQL integer. */

export interface VariantRow {
  id: string;
  templateVersionId: string;
  userId: string;
  courseId: string;
  context: 'PRACTICE' | 'EXAM';
  seed: number;
  params: Prisma.JsonValue;
  answers: Prisma.JsonValue;
  parts: Prisma.JsonValue;
  prompt: string;
  solution: string;
  createdAt: Date;
}

/** The engine's view of a stored variant, for grading. */
export function engineVariant(row: VariantRow, templateId: string, templateHash: string, title: string): EngineVariant {
  const parts = fromJson<GradingPart[]>(row.parts);
  return {
    templateId,
    templateHash,
    seed: row.seed,
    public: { title, prompt: row.prompt, parts: parts.map(publicPart) },
    secret: {
      params: fromJson<Record<string, unknown>>(row.params),
      answers: fromJson<Record<string, AnswerValue>>(row.answers),
      solution: row.solution,
      parts,
    },
  };
}

/**
 * practiceLockCheck(app, principal, courseId, template): 409 PRACTICE_LOCKED when an open exam
 * of the course closes practice of this template and the caller is a student there. Costs a
 * cached lookup when nothing is locked; the caller's role is read only when something is.
 */
export async function practiceLockCheck(app: FastifyInstance, p: UserPrincipal, courseId: string, template: { id: string; topic: string }): Promise<void> {
  const lock = await app.practiceLocks.lockedBy(courseId, template, app.now());
  if (!lock) return;
  const course = await authorizeCourse(app.prisma, p, courseId);
  if (course.role !== 'STUDENT') return;
  throw conflict(
    'PRACTICE_LOCKED',
    `practice of ${template.id} is closed while the exam "${lock.examTitle}" is open${lock.closesAt ? ` (until ${lock.closesAt.toISOString()})` : ''}`,
    { templateId: template.id, until: lock.closesAt ?? null },
  );
}

/**
 * issuePractice(app, principal, unsafeCourseId, choice): a fresh variant of a template or of a
 * random template of a topic. One statement (shared with concurrent issues): the variant is
 * inserted only if the caller is a member of the course (or an admin), the authoriser's rule
 * written into the batched INSERT (authz memberOf); otherwise nothing is written and the course is 404.
 */
export async function issuePractice(app: FastifyInstance, p: UserPrincipal, unsafeCourseId: string, choice: { templateId?: string; topic?: string }) {
  // Only what the course sees can be practised there: the built-ins and its own published templates.
  const visible = await app.catalogue.of(unsafeCourseId);
  let slug = choice.templateId;
  if (!slug) {
    const ids = visible.all().filter((t) => t.topic === choice.topic);
    if (ids.length === 0) throw notFound(`topic '${choice.topic}'`);
    slug = ids[randomInt(ids.length)].id;
  }
  const loaded = await app.catalogue.current(unsafeCourseId, slug);
  const templateId = loaded.templateId;
  await practiceLockCheck(app, p, unsafeCourseId, { id: templateId, topic: loaded.compiled.template.topic });
  let v: EngineVariant;
  try {
    v = await drawVariant(app, loaded);
  } catch (err) {
    if (err instanceof ConstraintError) throw unprocessable('TEMPLATE_UNSATISFIABLE', `template ${templateId} could not produce a variant`);
    throw err;
  }
  const id = randomUUID();
  const row = await app.practiceBatches.storeVariant({
    id,
    templateVersionId: loaded.versionId,
    userId: p.userId,
    courseId: unsafeCourseId,
    admin: p.admin,
    seed: v.seed,
    params: v.secret.params,
    answers: v.secret.answers,
    parts: v.secret.parts,
    prompt: v.public.prompt,
    solution: v.secret.solution,
  });
  if (!row) throw notFound('course');
  return { id, courseId: row.courseId, templateId, title: v.public.title, prompt: v.public.prompt, parts: v.public.parts, createdAt: row.createdAt };
}

/** readPracticeVariant(app, ref): the variant an authorised reference names, with its last submission. */
export async function readPracticeVariant(app: FastifyInstance, ref: VariantRef) {
  return app.prisma.variant.findUniqueOrThrow({
    where: { id: ref.variantId, context: ref.context },
    include: {
      templateVersion: { select: { templateId: true, hash: true, template: { select: { title: true, topic: true } } } },
      submissions: { orderBy: { tryNumber: 'desc' }, take: 1 },
    },
  });
}

type LoadedVariant = Awaited<ReturnType<typeof readPracticeVariant>>;

/**
 * variantDetail(row, ref): the practice variant as its reader may see it. Answers and solution
 * appear for the owner only once a graded submission released them; staff always see them.
 */
export function variantDetail(row: LoadedVariant, ref: VariantRef) {
  const sub = row.submissions[0];
  const answers = fromJson<Record<string, AnswerValue>>(row.answers);
  return {
    id: row.id,
    courseId: row.courseId,
    templateId: row.templateVersion.templateId,
    title: row.templateVersion.template.title,
    prompt: row.prompt,
    parts: fromJson<GradingPart[]>(row.parts).map(publicPart),
    createdAt: row.createdAt,
    submission: sub
      ? {
          submissionId: sub.id,
          variantId: row.id,
          score: sub.score,
          points: sub.points,
          maxPoints: sub.maxPoints,
          parts: fromJson<PartResult[]>(sub.results),
          correctAnswers: answers,
          solution: row.solution,
          createdAt: sub.createdAt,
        }
      : null,
    ...(ref.as === 'staff' ? { correctAnswers: answers, solution: row.solution } : {}),
  };
}
