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

/**
 * examScores(app, ref (staff)): per student of the course (role STUDENT) with at least one
 * finished attempt, the exam score by the exam's policy, ordered by email.
 */
export async function examScores(app: FastifyInstance, { exam, blueprint }: ExamRef): Promise<{ examId: string; policy: ScorePolicy; items: StudentScore[] }> {
  await finishExpiredOf(app, exam.id);
  const policy = blueprint.policies.scorePolicy;
  const rows = await app.prisma.attempt.findMany({
    where: { examId: exam.id, user: { memberships: { some: { courseId: exam.courseId, role: 'STUDENT' } } } },
    select: { id: true, userId: true, number: true, status: true, points: true, maxPoints: true, user: { select: { email: true, name: true } } },
    orderBy: [{ user: { email: 'asc' } }, { number: 'asc' }],
  });
  const byUser = new Map<string, typeof rows>();
  for (const r of rows) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), r]);
  const items: StudentScore[] = [];
  for (const [userId, attempts] of byUser) {
    const finished = attempts.filter((a) => a.status === 'FINISHED');
    const score = scoreByPolicy(policy, finished);
    if (!score) continue;
    const u = attempts[0].user;
    items.push({ userId, email: u.email, name: u.name, attemptsUsed: attempts.length, attemptsFinished: finished.length, ...score });
  }
  return { examId: exam.id, policy, items };
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
export async function myAttempts(app: FastifyInstance, { exam, blueprint, course }: ExamRef): Promise<{ examId: string; items: MyAttempt[] }> {
  const caller = course.principal.userId;
  await finishExpiredOf(app, exam.id, caller);
  const rows = await app.prisma.attempt.findMany({
    where: { examId: exam.id, userId: caller },
    orderBy: { number: 'asc' },
    select: { id: true, number: true, status: true, startedAt: true, deadline: true, finishedAt: true, points: true, maxPoints: true },
  });
  const duringAttempt = blueprint.policies.gradeDuringAttempt;
  return {
    examId: exam.id,
    items: rows.map(({ points, ...a }) => (a.status === 'FINISHED' || duringAttempt ? { ...a, points } : a)),
  };
}
