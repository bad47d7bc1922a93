/**
 * Regrading an exam: every stored submission (all tries) of the affected questions is graded
 * again against its variant, adjusted by the regrade: answers recomputed from the stored
 * parameters with the template's current version, a new tolerance for every part, new points
 * for the questions. Question points are then max over tries of tryPoints(maxPoints, credit,
 * score), attempt points Σ (overridePoints ?? earned); an override stays in force and is
 * reported when the grading under it moved.
 *
 * A dry run and an applied regrade run the same computation (planRegrade); applying runs it
 * inside one transaction, under the exam's and the attempts' row locks, writes what differs
 * and records a Regrade row, so what the dry run showed is what gets applied when nothing
 * happened in between.
 */
import type { FastifyInstance } from 'fastify';
import type { LoadedVersion } from '../catalogue/catalogue.js';
import { gradeVariant, recomputeAnswers } from '../catalogue/evaluate.js';
import { writeRegrade, type RegradeWrites } from '../repos/attempts/points.js';
import {
  EngineError,
  canonicalJson,
  shownChoices,
  compileTemplate,
  publicPart,
  type AnswerValue,
  type GradeResult,
  type GradingPart,
  type ShownChoices,
  type Tolerance,
  type Variant as EngineVariant,
} from '../engine/index.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { PrismaClient } from '../db/client.js';
import type { ExamRef } from '../authz/index.js';
import { unprocessable } from '../errors.js';
import { fromJson, toJson } from '../db/json.js';
import { tryCredit, type Policies } from './blueprint.js';
import { tryPoints } from './question-grading.js';
import { attemptPoints, round9 } from './scores.js';

type Db = PrismaClient | Prisma.TransactionClient;

export interface RegradeSpec {
  dryRun: boolean;
  /** Only questions of this template. */
  templateId?: string;
  /** Replaces the tolerance of every part of the affected questions. */
  tolerance?: Tolerance;
  /** New maximum points of each affected question. */
  points?: number;
  /** Correct answers recomputed from the stored parameters with the template's current version. */
  useCurrentVersion?: boolean;
}

export interface AttemptChange {
  attemptId: string;
  userId: string;
  number: number;
  before: number;
  after: number;
  delta: number;
  maxPointsBefore: number;
  maxPointsAfter: number;
}

/** A question whose override kept its points while its grading moved. */
export interface OverriddenChange {
  attemptId: string;
  userId: string;
  position: number;
  templateId: string;
  overridePoints: number;
  earnedBefore: number;
  earnedAfter: number;
  maxPointsBefore: number;
  maxPointsAfter: number;
}

export interface RegradeResult {
  dryRun: boolean;
  /** The recorded Regrade (null for a dry run). */
  regradeId: string | null;
  changes: AttemptChange[];
  overridden: OverriddenChange[];
  summary: {
    attempts: number;
    changed: number;
    totalDelta: number;
    questions: number;
    submissions: number;
    submissionsChanged: number;
    variantsChanged: number;
  };
}

interface Plan {
  result: Omit<RegradeResult, 'dryRun' | 'regradeId'>;
  writes: RegradeWrites;
}

type Version = LoadedVersion;

/** Template versions as the catalogue loads them: the app's cache, warmed before a transaction; misses read through `db`. */
class VersionSource {
  private byId = new Map<string, Version>();
  private current = new Map<string, Version>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly courseId: string,
  ) {}

  /** grade(), in the sandbox for a course's own template where it runs the template's code (follow-through). */
  grade(v: Version, variant: EngineVariant, answers: Record<string, unknown>): Promise<GradeResult> {
    return gradeVariant(this.app, v, variant, answers);
  }

  /** answersFromParams() with this version, in the sandbox for a course's own template. */
  recompute(v: Version, params: Record<string, unknown>, shown: ShownChoices) {
    return recomputeAnswers(this.app, v, params, shown);
  }

  /** Loads outside any transaction what the plan will need (PGlite runs one transaction at a time). */
  async warm(versionIds: Iterable<string>, currentOf: Iterable<string>): Promise<void> {
    for (const id of versionIds) {
      if (!this.byId.has(id)) this.byId.set(id, await this.app.catalogue.version(id));
    }
    for (const t of currentOf) {
      if (!this.current.has(t)) this.current.set(t, await this.app.catalogue.current(this.courseId, t));
    }
  }

  async version(db: Db, id: string): Promise<Version> {
    const hit = this.byId.get(id);
    if (hit) return hit;
    const row = await db.templateVersion.findUniqueOrThrow({ where: { id }, include: { template: { select: { courseId: true } } } });
    return this.remember(this.byId, id, row);
  }

  async currentOf(db: Db, templateId: string): Promise<Version> {
    const hit = this.current.get(templateId);
    if (hit) return hit;
    // A template first drawn after warm(): read it in the caller's transaction.
    const t = await db.problemTemplate.findUniqueOrThrow({ where: { id: templateId }, select: { currentVersion: true } });
    const row = await db.templateVersion.findUniqueOrThrow({
      where: { templateId_version: { templateId, version: t.currentVersion } },
      include: { template: { select: { courseId: true } } },
    });
    return this.remember(this.current, templateId, row);
  }

  private remember(
    into: Map<string, Version>,
    key: string,
    row: { id: string; templateId: string; version: number; content: unknown; template: { courseId: string | null } },
  ): Version {
    const v: Version = {
      versionId: row.id,
      templateId: row.templateId,
      version: row.version,
      compiled: compileTemplate(row.content, `${row.templateId} v${row.version}`),
      // The catalogue's rule: a course's own template runs only in the sandbox.
      untrusted: row.template.courseId !== null,
    };
    into.set(key, v);
    return v;
  }
}

function loadAttempts(db: Db, examId: string, onlyIds?: string[]) {
  return db.attempt.findMany({
    where: { examId, ...(onlyIds ? { id: { in: onlyIds } } : {}) },
    orderBy: { id: 'asc' },
    include: {
      questions: {
        orderBy: { position: 'asc' },
        include: {
          variants: { orderBy: { createdAt: 'asc' } },
          submissions: { orderBy: { tryNumber: 'asc' } },
        },
      },
    },
  });
}

type LoadedAttempts = Awaited<ReturnType<typeof loadAttempts>>;
type VariantRow = LoadedAttempts[number]['questions'][number]['variants'][number];

const differs = (a: number, b: number) => Math.abs(a - b) > 1e-9;

/** The variant as the regrade grades it, and the stored row's new content when it changed. */
async function adjustVariant(
  db: Db,
  versions: VersionSource,
  spec: RegradeSpec,
  v: VariantRow,
  templateId: string,
  where: { attemptId: string; position: number },
) {
  let version = await versions.version(db, v.templateVersionId);
  let params = fromJson<Record<string, unknown>>(v.params);
  let answers = fromJson<Record<string, AnswerValue>>(v.answers);
  let parts = fromJson<GradingPart[]>(v.parts);
  let solution = v.solution;
  if (spec.useCurrentVersion) {
    version = await versions.currentOf(db, templateId);
    try {
      // The options the student saw stay as they were shown.
      ({ params, answers, parts, solution } = await versions.recompute(version, params, shownChoices(parts)));
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      throw unprocessable(
        'REGRADE_FAILED',
        `the current version of ${templateId} cannot recompute the answers of attempt ${where.attemptId}, question ${where.position}: ${err.message}`,
        { ...where, templateId, path: err.path },
      );
    }
  }
  if (spec.tolerance) {
    const tolerance = spec.tolerance;
    parts = parts.map((p) => ({ ...p, tolerance }));
  }
  const ct = version.compiled;
  const engine: EngineVariant = {
    templateId: ct.template.id,
    templateHash: ct.hash,
    seed: v.seed,
    public: { title: ct.template.title, prompt: v.prompt, parts: parts.map(publicPart) },
    secret: { params, answers, solution, parts },
  };
  const next = { templateVersionId: version.versionId, params: toJson(params), answers: toJson(answers), parts: toJson(parts), solution };
  const stored = { templateVersionId: v.templateVersionId, params: v.params, answers: v.answers, parts: v.parts, solution: v.solution };
  const write = canonicalJson(next) !== canonicalJson(stored) ? { id: v.id, ...next } : undefined;
  return { engine, version, write };
}

/** planRegrade(db, versions, examId, policies, spec, onlyIds?): what a regrade would change, and the rows to write. */
async function planRegrade(db: Db, versions: VersionSource, examId: string, policies: Policies, spec: RegradeSpec, onlyIds?: string[]): Promise<Plan> {
  const attempts = await loadAttempts(db, examId, onlyIds);
  const plan: Plan = {
    result: {
      changes: [],
      overridden: [],
      summary: { attempts: attempts.length, changed: 0, totalDelta: 0, questions: 0, submissions: 0, submissionsChanged: 0, variantsChanged: 0 },
    },
    writes: { submissions: [], questions: [], attempts: [], variants: [] },
  };
  const affects = (templateId: string) => !spec.templateId || spec.templateId === templateId;
  for (const a of attempts) {
    const totals: { earned: number; overridePoints: number | null; maxPoints: number }[] = [];
    for (const q of a.questions) {
      if (!affects(q.templateId)) {
        totals.push(q);
        continue;
      }
      plan.result.summary.questions++;
      const maxPoints = spec.points ?? q.maxPoints;
      const graders = new Map<string, Awaited<ReturnType<typeof adjustVariant>>>();
      for (const v of q.variants) {
        const adjusted = await adjustVariant(db, versions, spec, v, q.templateId, { attemptId: a.id, position: q.position });
        graders.set(v.id, adjusted);
        if (adjusted.write) {
          plan.writes.variants.push(adjusted.write);
          plan.result.summary.variantsChanged++;
        }
      }
      let earned = 0;
      for (const s of q.submissions) {
        const g = graders.get(s.variantId);
        if (!g) throw new Error(`submission ${s.id} is graded against a variant of another question`);
        const graded = await versions.grade(g.version, g.engine, fromJson<Record<string, unknown>>(s.answers));
        const points = tryPoints(maxPoints, tryCredit(policies, s.tryNumber), graded.score);
        earned = Math.max(earned, points);
        plan.result.summary.submissions++;
        const results = toJson(graded.parts);
        if (
          differs(graded.score, s.score) ||
          differs(points, s.points) ||
          differs(maxPoints, s.maxPoints) ||
          canonicalJson(results) !== canonicalJson(s.results)
        ) {
          plan.result.summary.submissionsChanged++;
          plan.writes.submissions.push({ id: s.id, score: graded.score, points, maxPoints, results });
        }
      }
      if (differs(earned, q.earned) || differs(maxPoints, q.maxPoints)) {
        plan.writes.questions.push({ id: q.id, earned, maxPoints });
        if (q.overridePoints !== null) {
          plan.result.overridden.push({
            attemptId: a.id,
            userId: a.userId,
            position: q.position,
            templateId: q.templateId,
            overridePoints: q.overridePoints,
            earnedBefore: q.earned,
            earnedAfter: earned,
            maxPointsBefore: q.maxPoints,
            maxPointsAfter: maxPoints,
          });
        }
      } else earned = q.earned;
      totals.push({ earned, overridePoints: q.overridePoints, maxPoints });
    }
    const after = attemptPoints(totals);
    const maxAfter = round9(totals.reduce((s, q) => s + q.maxPoints, 0));
    if (differs(after, a.points) || differs(maxAfter, a.maxPoints)) {
      const delta = round9(after - a.points);
      plan.writes.attempts.push({ id: a.id, points: after, maxPoints: maxAfter });
      plan.result.changes.push({
        attemptId: a.id,
        userId: a.userId,
        number: a.number,
        before: a.points,
        after,
        delta,
        maxPointsBefore: a.maxPoints,
        maxPointsAfter: maxAfter,
      });
      plan.result.summary.totalDelta += delta;
    }
  }
  plan.result.summary.changed = plan.result.changes.length;
  plan.result.summary.totalDelta = round9(plan.result.summary.totalDelta);
  return plan;
}

/** What the plan will touch, so it can be loaded before a transaction. */
async function warmVersions(app: FastifyInstance, versions: VersionSource, examId: string, spec: RegradeSpec): Promise<void> {
  const questionWhere: Prisma.AttemptQuestionWhereInput = { attempt: { examId }, ...(spec.templateId ? { templateId: spec.templateId } : {}) };
  const used = await app.prisma.variant.findMany({
    where: { attemptQuestion: questionWhere },
    distinct: ['templateVersionId'],
    select: { templateVersionId: true },
  });
  const templates = spec.useCurrentVersion
    ? (await app.prisma.attemptQuestion.findMany({ where: questionWhere, distinct: ['templateId'], select: { templateId: true } })).map((q) => q.templateId)
    : [];
  await versions.warm(
    used.map((u) => u.templateVersionId),
    templates,
  );
}

/**
 * regradeExam(app, ref (instructor), spec): the dry run's or the applied regrade's changes
 * (instructors). Applying writes submissions' scores, points and results, questions' earned
 * and maximum, attempts' totals, adjusted variants (answers, parts, solution and, with
 * useCurrentVersion, parameters and template version) and a Regrade row, in one transaction.
 */
export async function regradeExam(app: FastifyInstance, ref: ExamRef, asGiven: RegradeSpec): Promise<RegradeResult> {
  const { exam, blueprint } = ref;
  const policies = blueprint.policies;
  // A template named as authors write it (its slug) stands for the one the course sees.
  const named = asGiven.templateId ? (await app.catalogue.of(exam.courseId)).get(asGiven.templateId)?.id : undefined;
  const spec = named ? { ...asGiven, templateId: named } : asGiven;
  const versions = new VersionSource(app, exam.courseId);
  await warmVersions(app, versions, exam.id, spec);
  if (spec.dryRun) {
    const { result } = await planRegrade(app.prisma, versions, exam.id, policies, spec);
    return { dryRun: true, regradeId: null, ...result };
  }
  return app.prisma.$transaction(
    async (tx) => {
      // One regrade at a time per exam; tries, finishing and overrides of these attempts wait.
      await tx.$queryRaw`SELECT id FROM "Exam" WHERE id = ${exam.id}::uuid FOR UPDATE`;
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM "Attempt" WHERE "examId" = ${exam.id}::uuid ORDER BY id FOR UPDATE`;
      // An attempt started after the lock is left alone: its tries are not serialised with this.
      const { result, writes } = await planRegrade(
        tx,
        versions,
        exam.id,
        policies,
        spec,
        locked.map((r) => r.id),
      );
      const { dryRun: _dryRun, ...recorded } = spec;
      const regradeId = await writeRegrade(tx, { exam, byUserId: ref.course.principal.userId, at: app.now(), spec: recorded, result, writes });
      return { dryRun: false, regradeId, ...result };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}
