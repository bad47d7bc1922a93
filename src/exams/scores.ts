/**
 * Exam results: an exam's attempts for its staff, and each student's exam score by the exam's
 * score policy (`best`, `latest` or `average` of their finished attempts). An attempt's points
 * are always Σ over its questions of (overridePoints ?? earned); attemptPoints() is that sum,
 * for every writer that changes a question's points.
 */
import type { FastifyInstance } from 'fastify';
import type { AttemptStatus, Prisma } from '../generated/prisma/client.js';
import type { ExamRef } from '../authz/index.js';
import type { Page, PageRequest } from '../courses/courses.js';
import { SCORE_POLICY } from './blueprint.js';
import { finishAttempt } from './finish.js';
import { windowOf, type StudentWindow } from './window.js';

export type ScorePolicy = (typeof SCORE_POLICY)[number];

/** round9(x): x rounded to 1e-9, so sums of stored floats compare equal to recomputed ones. */
export function round9(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

/** attemptPoints(questions): Σ (overridePoints ?? earned); an override replaces what grading gave. */
export function attemptPoints(questions: readonly { earned: number; overridePoints: number | null }[]): number {
  return round9(questions.reduce((s, q) => s + (q.overridePoints ?? q.earned), 0));
}

/** percentOf(points, maxPoints): 0..100 with two decimals; 0 when there is nothing to earn. */
export function percentOf(points: number, maxPoints: number): number {
  return maxPoints > 0 ? Math.round((points / maxPoints) * 10_000) / 100 : 0;
}

export interface FinishedAttempt {
  id: string;
  number: number;
  points: number;
  maxPoints: number;
}

export interface ExamScore {
  points: number;
  maxPoints: number;
  percent: number;
  /** The attempt the score is (null for `average`). */
  attemptId: string | null;
}

const ratio = (a: FinishedAttempt) => (a.maxPoints > 0 ? a.points / a.maxPoints : 0);

/**
 * scoreByPolicy(policy, finished): the exam score from finished attempts; null when there are none.
 * `best` is the highest percentage (attempts may differ in maximum after a regrade of some
 * templates; ties go to the earlier attempt), `latest` the highest-numbered attempt, and
 * `average` the mean of the attempts' points, maxima and percentages.
 * Example: scoreByPolicy('average', [{points: 4, maxPoints: 10…}, {points: 8, maxPoints: 10…}]).percent → 60.
 */
export function scoreByPolicy(policy: ScorePolicy, finished: readonly FinishedAttempt[]): ExamScore | null {
  if (finished.length === 0) return null;
  const byNumber = [...finished].sort((a, b) => a.number - b.number);
  const of = (a: FinishedAttempt): ExamScore => ({ points: a.points, maxPoints: a.maxPoints, percent: percentOf(a.points, a.maxPoints), attemptId: a.id });
  switch (policy) {
    case 'latest':
      return of(byNumber[byNumber.length - 1]);
    case 'best': {
      let best = byNumber[0];
      for (const a of byNumber) if (ratio(a) > ratio(best) || (ratio(a) === ratio(best) && a.points > best.points)) best = a;
      return of(best);
    }
    case 'average': {
      const n = finished.length;
      const mean = (f: (a: FinishedAttempt) => number) => finished.reduce((s, a) => s + f(a), 0) / n;
      return {
        points: round9(mean((a) => a.points)),
        maxPoints: round9(mean((a) => a.maxPoints)),
        percent: Math.round(mean(ratio) * 10_000) / 100,
        attemptId: null,
      };
    }
  }
}

/**
 * finishExpiredOf(app, examId, userId?): finishes the exam's open attempts whose deadline has
 * passed (a read of results is their "next touch"), so an expired attempt counts as finished
 * without waiting for the sweep.
 */
export async function finishExpiredOf(app: FastifyInstance, examId: string, userId?: string): Promise<void> {
  const due = await app.prisma.attempt.findMany({
    where: { examId, status: 'OPEN', deadline: { lte: app.now() }, ...(userId ? { userId } : {}) },
    select: { id: true },
  });
  for (const a of due) await finishAttempt(app, a.id, 'deadline');
}

export interface AttemptListItem {
  id: string;
  userId: string;
  email: string;
  name: string;
  number: number;
  status: AttemptStatus;
  startedAt: Date;
  deadline: Date | null;
  finishedAt: Date | null;
  finishedBy: string | null;
  points: number;
  maxPoints: number;
  percent: number;
}

/**
 * listExamAttempts(app, ref (staff), {page, pageSize, status?, userId?}): the exam's attempts
 * by student email then attempt number.
 */
export async function listExamAttempts(
  app: FastifyInstance,
  { exam }: ExamRef,
  req: PageRequest & { status?: AttemptStatus; userId?: string },
): Promise<Page<AttemptListItem>> {
  await finishExpiredOf(app, exam.id, req.userId);
  const where: Prisma.AttemptWhereInput = {
    examId: exam.id,
    ...(req.status ? { status: req.status } : {}),
    ...(req.userId ? { userId: req.userId } : {}),
  };
  const [rows, total] = await Promise.all([
    app.prisma.attempt.findMany({
      where,
      include: { user: { select: { email: true, name: true } } },
      orderBy: [{ user: { email: 'asc' } }, { number: 'asc' }],
      skip: (req.page - 1) * req.pageSize,
      take: req.pageSize,
    }),
    app.prisma.attempt.count({ where }),
  ]);
  const items = rows.map((a) => ({
    id: a.id,
    userId: a.userId,
    email: a.user.email,
    name: a.user.name,
    number: a.number,
    status: a.status,
    startedAt: a.startedAt,
    deadline: a.deadline,
    finishedAt: a.finishedAt,
    finishedBy: a.finishedBy,
    points: a.points,
    maxPoints: a.maxPoints,
    percent: percentOf(a.points, a.maxPoints),
  }));
  return { items, page: req.page, pageSize: req.pageSize, total };
}

export interface StudentScore extends ExamScore {
  userId: string;
  email: string;
  name: string;
  /** Attempts started, finished or not (what counts against the attempt limit). */
  attemptsUsed: number;
  /** Finished attempts, the ones the policy chooses from. */
  attemptsFinished: number;
}

export interface ScoredAttempt extends FinishedAttempt {
  userId: string;
  status: AttemptStatus;
}

export const SCORED_ATTEMPT = { id: true, userId: true, number: true, status: true, points: true, maxPoints: true } as const;

/** The exam score and attempt counts of each student among `attempts` (those with attempts only). */
export function scoresByStudent(
  policy: ScorePolicy,
  attempts: readonly ScoredAttempt[],
): Map<string, { attemptsUsed: number; attemptsFinished: number; score: ExamScore | null }> {
  const byUser = new Map<string, ScoredAttempt[]>();
  for (const a of attempts) byUser.set(a.userId, [...(byUser.get(a.userId) ?? []), a]);
  const out = new Map<string, { attemptsUsed: number; attemptsFinished: number; score: ExamScore | null }>();
  for (const [userId, mine] of byUser) {
    const finished = mine.filter((a) => a.status === 'FINISHED');
    out.set(userId, { attemptsUsed: mine.length, attemptsFinished: finished.length, score: scoreByPolicy(policy, finished) });
  }
  return out;
}

/**
 * examScores(app, ref (staff)): per student of the course (role STUDENT) with at least one
 * finished attempt, the exam score by the exam's policy, ordered by email.
 */
export async function examScores(app: FastifyInstance, { exam, blueprint }: ExamRef): Promise<{ examId: string; policy: ScorePolicy; items: StudentScore[] }> {
  await finishExpiredOf(app, exam.id);
  const policy = blueprint.policies.scorePolicy;
  const rows = await app.prisma.attempt.findMany({
    where: { examId: exam.id, user: { memberships: { some: { courseId: exam.courseId, role: 'STUDENT' } } } },
    select: { ...SCORED_ATTEMPT, user: { select: { email: true, name: true } } },
    orderBy: [{ user: { email: 'asc' } }, { number: 'asc' }],
  });
  const users = new Map(rows.map((r) => [r.userId, r.user]));
  const items: StudentScore[] = [];
  for (const [userId, { score, ...counts }] of scoresByStudent(policy, rows)) {
    const u = users.get(userId);
    if (score && u) items.push({ userId, email: u.email, name: u.name, ...counts, ...score });
  }
  return { examId: exam.id, policy, items };
}

export interface RosterScore {
  userId: string;
  email: string;
  name: string;
  attemptsUsed: number;
  attemptsFinished: number;
  /** null without a finished attempt. */
  score: ExamScore | null;
}

/**
 * rosterScores(app, ref (staff), pageSize): every student of the course (role STUDENT), with
 * an attempt or not, by email, with their exam score as examScores gives it; one page of
 * `pageSize` students at a time (keyset on the unique email, so a large course is never held
 * in memory at once). Expired attempts are finished first, as for examScores.
 */
export async function* rosterScores(app: FastifyInstance, { exam, blueprint }: ExamRef, pageSize = 500): AsyncGenerator<RosterScore[]> {
  await finishExpiredOf(app, exam.id);
  const policy = blueprint.policies.scorePolicy;
  let after: string | undefined;
  for (;;) {
    const members = await app.prisma.membership.findMany({
      where: { courseId: exam.courseId, role: 'STUDENT', ...(after !== undefined ? { user: { email: { gt: after } } } : {}) },
      select: { user: { select: { id: true, email: true, name: true } } },
      orderBy: { user: { email: 'asc' } },
      take: pageSize,
    });
    if (members.length === 0) return;
    const attempts = await app.prisma.attempt.findMany({
      where: { examId: exam.id, userId: { in: members.map((m) => m.user.id) } },
      select: SCORED_ATTEMPT,
    });
    const scores = scoresByStudent(policy, attempts);
    yield members.map(({ user }) => ({
      userId: user.id,
      email: user.email,
      name: user.name,
      attemptsUsed: 0,
      attemptsFinished: 0,
      score: null,
      ...scores.get(user.id),
    }));
    if (members.length < pageSize) return;
    after = members[members.length - 1].user.email;
  }
}

export interface MyScore {
  examId: string;
  policy: ScorePolicy;
  attemptsUsed: number;
  attemptsFinished: number;
  /** null until an attempt is finished. */
  score: ExamScore | null;
}

/** myScore(app, ref): the caller's own exam score, computed as for staff (members). */
export async function myScore(app: FastifyInstance, { exam, blueprint, course }: ExamRef): Promise<MyScore> {
  const caller = course.principal.userId;
  await finishExpiredOf(app, exam.id, caller);
  const policy = blueprint.policies.scorePolicy;
  const attempts = await app.prisma.attempt.findMany({
    where: { examId: exam.id, userId: caller },
    select: { id: true, number: true, status: true, points: true, maxPoints: true },
  });
  const finished = attempts.filter((a) => a.status === 'FINISHED');
  return { examId: exam.id, policy, attemptsUsed: attempts.length, attemptsFinished: finished.length, score: scoreByPolicy(policy, finished) };
}

export interface MyAttempt {
  id: string;
  number: number;
  status: AttemptStatus;
  startedAt: Date;
  deadline: Date | null;
  finishedAt: Date | null;
  maxPoints: number;
  /** Shown when the attempt view would show it: once finished, or during it if the exam grades during the attempt. */
  points?: number;
}

/** myAttempts(app, ref): the caller's own attempts at the exam, by number (expired ones finished first). */
export async function myAttempts(
  app: FastifyInstance,
  { exam, blueprint, course }: ExamRef,
): Promise<{ examId: string; window: StudentWindow; attemptsLeft: number; items: MyAttempt[] }> {
  const caller = course.principal.userId;
  await finishExpiredOf(app, exam.id, caller);
  const [rows, override] = await Promise.all([
    app.prisma.attempt.findMany({
      where: { examId: exam.id, userId: caller },
      orderBy: { number: 'asc' },
      select: { id: true, number: true, status: true, startedAt: true, deadline: true, finishedAt: true, points: true, maxPoints: true },
    }),
    app.prisma.examOverride.findUnique({ where: { examId_userId: { examId: exam.id, userId: caller } } }),
  ]);
  // The same window the start of an attempt applies: the caller's override (extra time, a later
  // close, extra attempts) included.
  const window = windowOf(blueprint.policies, override);
  const duringAttempt = blueprint.policies.gradeDuringAttempt;
  return {
    examId: exam.id,
    window,
    attemptsLeft: Math.max(0, window.maxAttempts - rows.length),
    items: rows.map(({ points, ...a }) => (a.status === 'FINISHED' || duringAttempt ? { ...a, points } : a)),
  };
}
