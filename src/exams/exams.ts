/**
 * Exams and their lifecycle: DRAFT → PUBLISHED → ARCHIVED. Only drafts are edited; publishing
 * checks that the blueprint can be satisfied and freezes it; a copy of any exam is a new
 * draft. Per-student overrides (extra time, a later close, extra attempts) live beside it.
 */
import type { CourseRole, Exam, ExamOverride, ExamStatus, Prisma } from '../generated/prisma/client.js';
import type { PrismaClient } from '../db/client.js';
import type { Catalogue } from '../catalogue/catalogue.js';
import type { CourseRef, ExamRef, Principal } from '../authz/index.js';
import { AppError, conflict, notFound } from '../errors.js';
import type { Page, PageRequest } from '../courses/courses.js';
import { blueprintFromJson, blueprintToJson, type Blueprint } from './blueprint.js';
import { checkBlueprint, resolveBlueprintPools } from './pools.js';

export interface ExamView {
  id: string;
  courseId: string;
  title: string;
  status: ExamStatus;
  /** Students: without the pools. */
  blueprint: { sections: (Omit<Blueprint['sections'][number], 'pool'> & { pool?: Blueprint['sections'][number]['pool'] })[]; policies: Blueprint['policies'] };
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
  copiedFromId: string | null;
}

export interface OverrideView {
  examId: string;
  userId: string;
  extraMinutes: number;
  closesAt: Date | null;
  extraAttempts: number;
  createdAt: Date;
}

const TITLE_MAX = 200;
const COPY_SUFFIX = ' (copy)';

function view(exam: Exam, role: CourseRole, blueprint: Blueprint = blueprintFromJson(exam.blueprint)): ExamView {
  return {
    id: exam.id,
    courseId: exam.courseId,
    title: exam.title,
    status: exam.status,
    blueprint: blueprintFor(blueprint, role),
    createdAt: exam.createdAt,
    updatedAt: exam.updatedAt,
    publishedAt: exam.publishedAt,
    copiedFromId: exam.copiedFromId,
  };
}

function overrideView(o: ExamOverride): OverrideView {
  return { examId: o.examId, userId: o.userId, extraMinutes: o.extraMinutes, closesAt: o.closesAt, extraAttempts: o.extraAttempts, createdAt: o.createdAt };
}

const examFrozen = (status: ExamStatus) => conflict('EXAM_FROZEN', `only drafts can be edited; this exam is ${status} (copy it to edit)`, { status });

const invalidTransition = (from: ExamStatus, to: ExamStatus) => conflict('INVALID_TRANSITION', `a ${from} exam cannot become ${to}`, { from, to });

/**
 * What a reader sees of a blueprint: staff see it whole; students see the sections' titles,
 * counts and points and the policies, not the pools (which templates could be drawn).
 */
function blueprintFor(b: Blueprint, role: CourseRole): ExamView['blueprint'] {
  if (role !== 'STUDENT') return b;
  return {
    sections: b.sections.map((s) => ({ ...(s.title !== undefined ? { title: s.title } : {}), count: s.count, points: s.points })),
    policies: b.policies,
  };
}

/**
 * createExam(prisma, catalogue, course (instructor), {title, blueprint}): a new DRAFT. Explicit template
 * ids, topics and tags must exist (422 POOL_INVALID); whether the pools are big enough is
 * checked at publish, so a draft may be incomplete.
 */
export async function createExam(
  prisma: PrismaClient,
  catalogue: Catalogue,
  course: CourseRef,
  input: { title: string; blueprint: Blueprint },
): Promise<ExamView> {
  const { courseId } = course;
  resolveBlueprintPools(await catalogue.of(courseId), input.blueprint);
  const exam = await prisma.exam.create({
    data: { courseId, title: input.title, blueprint: blueprintToJson(input.blueprint) as Prisma.InputJsonValue },
  });
  return view(exam, course.role);
}

/**
 * listExams(prisma, course, {page, pageSize, status?}): the course's exams, newest first
 * (members; students see PUBLISHED and ARCHIVED exams only).
 */
export async function listExams(prisma: PrismaClient, access: CourseRef<Principal>, req: PageRequest & { status?: ExamStatus }): Promise<Page<ExamView>> {
  const visible: ExamStatus[] = access.role === 'STUDENT' ? ['PUBLISHED', 'ARCHIVED'] : ['DRAFT', 'PUBLISHED', 'ARCHIVED'];
  const statuses = req.status ? visible.filter((s) => s === req.status) : visible;
  const where: Prisma.ExamWhereInput = { courseId: access.courseId, status: { in: statuses } };
  const [rows, total] = await Promise.all([
    prisma.exam.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      skip: (req.page - 1) * req.pageSize,
      take: req.pageSize,
    }),
    prisma.exam.count({ where }),
  ]);
  return { items: rows.map((e) => view(e, access.role)), page: req.page, pageSize: req.pageSize, total };
}

/** getExam(ref): the exam as the caller may see it. */
export function getExam({ exam, blueprint, course }: ExamRef<Principal>): ExamView {
  return view(exam, course.role, blueprint);
}

/** Why a conditional update of a draft matched nothing: it is gone (404) or no longer a draft. */
async function notADraft(prisma: PrismaClient, examId: string, err: (status: ExamStatus) => AppError): Promise<never> {
  const now = await prisma.exam.findUnique({ where: { id: examId }, select: { status: true } });
  if (!now) throw notFound('exam');
  throw err(now.status);
}

/**
 * updateExam(prisma, catalogue, ref (instructor), {title?, blueprint?}): edits a draft (instructors);
 * 409 EXAM_FROZEN otherwise. The update is conditional on the row still being a draft, so an
 * edit racing a publish either lands before it (and is what gets checked and published) or
 * is refused.
 */
export async function updateExam(
  prisma: PrismaClient,
  catalogue: Catalogue,
  ref: ExamRef,
  input: { title?: string; blueprint?: Blueprint },
): Promise<ExamView> {
  const { exam } = ref;
  if (exam.status !== 'DRAFT') throw examFrozen(exam.status);
  if (input.blueprint) resolveBlueprintPools(await catalogue.of(exam.courseId), input.blueprint);
  const data: Prisma.ExamUpdateManyMutationInput = {
    ...(input.title !== undefined ? { title: input.title } : {}),
    ...(input.blueprint !== undefined ? { blueprint: blueprintToJson(input.blueprint) as Prisma.InputJsonValue } : {}),
  };
  const { count } = await prisma.exam.updateMany({ where: { id: exam.id, status: 'DRAFT' }, data });
  if (!count) return notADraft(prisma, exam.id, examFrozen);
  return view(await prisma.exam.findUniqueOrThrow({ where: { id: exam.id } }), ref.course.role);
}

/**
 * publishExam(prisma, catalogue, ref (instructor), now): DRAFT → PUBLISHED (instructors), after
 * checkBlueprint (422 BLUEPRINT_UNSATISFIABLE / POOL_INVALID). The row is locked while the
 * blueprint is checked, so the blueprint that is published is the one that was checked: a
 * concurrent edit waits, then finds the exam no longer a draft.
 */
export async function publishExam(prisma: PrismaClient, catalogue: Catalogue, ref: ExamRef, now: Date): Promise<ExamView> {
  const { exam: loaded } = ref;
  if (loaded.status !== 'DRAFT') throw invalidTransition(loaded.status, 'PUBLISHED');
  const visible = await catalogue.of(loaded.courseId);
  const exam = await prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT "id" FROM "Exam" WHERE "id" = ${loaded.id}::uuid FOR UPDATE`;
    const current = await tx.exam.findUnique({ where: { id: loaded.id } });
    if (!current) throw notFound('exam');
    if (current.status !== 'DRAFT') throw invalidTransition(current.status, 'PUBLISHED');
    checkBlueprint(visible, blueprintFromJson(current.blueprint));
    const { count } = await tx.exam.updateMany({ where: { id: current.id, status: 'DRAFT' }, data: { status: 'PUBLISHED', publishedAt: now } });
    if (!count) throw invalidTransition(current.status, 'PUBLISHED'); // unreachable under the lock
    return tx.exam.findUniqueOrThrow({ where: { id: current.id } });
  });
  return view(exam, ref.course.role);
}

/** archiveExam(prisma, ref (instructor)): PUBLISHED → ARCHIVED (instructors); archived exams take no new attempts. */
export async function archiveExam(prisma: PrismaClient, ref: ExamRef): Promise<ExamView> {
  const { exam } = ref;
  const { count } = await prisma.exam.updateMany({ where: { id: exam.id, status: 'PUBLISHED' }, data: { status: 'ARCHIVED' } });
  if (!count) {
    const current = await prisma.exam.findUnique({ where: { id: exam.id }, select: { status: true } });
    if (!current) throw notFound('exam');
    throw invalidTransition(current.status, 'ARCHIVED');
  }
  return view(await prisma.exam.findUniqueOrThrow({ where: { id: exam.id } }), ref.course.role);
}

/** copyExam(prisma, ref (instructor)): a new DRAFT in the same course with the same blueprint, "<title> (copy)" (instructors). */
export async function copyExam(prisma: PrismaClient, ref: ExamRef): Promise<ExamView> {
  const { exam } = ref;
  // The copy's title must stay editable, i.e. within the title limit.
  const title = exam.title.slice(0, TITLE_MAX - COPY_SUFFIX.length) + COPY_SUFFIX;
  const copy = await prisma.exam.create({
    data: { courseId: exam.courseId, title, blueprint: exam.blueprint as Prisma.InputJsonValue, copiedFromId: exam.id },
  });
  return view(copy, ref.course.role);
}

/** listOverrides(prisma, ref (staff), page): the exam's overrides, oldest first (staff). */
export async function listOverrides(prisma: PrismaClient, { exam }: ExamRef<Principal>, req: PageRequest): Promise<Page<OverrideView>> {
  const where = { examId: exam.id };
  const [rows, total] = await Promise.all([
    prisma.examOverride.findMany({ where, orderBy: [{ createdAt: 'asc' }, { userId: 'asc' }], skip: (req.page - 1) * req.pageSize, take: req.pageSize }),
    prisma.examOverride.count({ where }),
  ]);
  return { items: rows.map(overrideView), page: req.page, pageSize: req.pageSize, total };
}

/**
 * putOverride(prisma, ref (instructor), unsafeUserId, {extraMinutes, closesAt, extraAttempts}):
 * sets (replaces) a member's override (instructors); 404 when the user is not a member of
 * the exam's course.
 */
export async function putOverride(
  prisma: PrismaClient,
  { exam }: ExamRef<Principal>,
  unsafeUserId: string,
  input: { extraMinutes: number; closesAt: Date | null; extraAttempts: number },
): Promise<OverrideView> {
  const member = await prisma.membership.findUnique({
    where: { userId_courseId: { userId: unsafeUserId, courseId: exam.courseId } },
    select: { userId: true },
  });
  if (!member) throw notFound('member');
  const data = { extraMinutes: input.extraMinutes, closesAt: input.closesAt, extraAttempts: input.extraAttempts };
  const o = await prisma.examOverride.upsert({
    where: { examId_userId: { examId: exam.id, userId: member.userId } },
    create: { examId: exam.id, userId: member.userId, ...data },
    update: data,
  });
  return overrideView(o);
}

/** deleteOverride(prisma, ref (instructor), unsafeUserId): removes a member's override (instructors); 404 when there is none. */
export async function deleteOverride(prisma: PrismaClient, { exam }: ExamRef<Principal>, unsafeUserId: string): Promise<void> {
  const { count } = await prisma.examOverride.deleteMany({ where: { examId: exam.id, userId: unsafeUserId } });
  if (!count) throw notFound('override');
}
