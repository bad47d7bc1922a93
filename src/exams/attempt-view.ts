/** An attempt as its reader may see it: nothing is included before the policy releases it. */
import { publicPart, type AnswerValue, type GradingPart, type PartResult } from '../engine/index.js';
import { fromJson } from '../db/json.js';
import { answersReleased, feedbackVisible } from './release.js';
import type { LoadedAttempt } from './attempt-load.js';

export function questionEnded(q: { triesUsed: number; submissions: { score: number }[] }, triesPerQuestion: number): boolean {
  return (q.submissions[0]?.score ?? 0) >= 1 || q.triesUsed >= triesPerQuestion;
}

export function attemptView(l: LoadedAttempt, now: Date) {
  const a = l.attempt;
  const p = l.blueprint.policies;
  const finished = a.status === 'FINISHED';
  const questions = a.questions.map((q) => {
    const v = q.variants[0];
    const last = q.submissions[0];
    const state = {
      attemptFinished: finished,
      questionEnded: questionEnded(q, p.triesPerQuestion),
      ...(l.window.closesAt ? { closesAt: l.window.closesAt } : {}),
      examArchived: a.exam.status === 'ARCHIVED',
      now,
    };
    // Course staff reading a student's attempt see everything.
    const showFeedback = !l.isOwner || feedbackVisible(p, state);
    const showAnswers = !l.isOwner || answersReleased(p, state);
    return {
      position: q.position,
      sectionIndex: q.sectionIndex,
      templateId: q.templateId,
      title: v?.templateVersion.template.title ?? q.templateId,
      prompt: v?.prompt ?? '',
      parts: v ? fromJson<GradingPart[]>(v.parts).map(publicPart) : [],
      maxPoints: q.maxPoints,
      triesUsed: q.triesUsed,
      // A solved question has no tries left, whatever its count says.
      triesLeft: (q.submissions[0]?.score ?? 0) >= 1 ? 0 : Math.max(0, p.triesPerQuestion - q.triesUsed),
      savedAnswers: q.savedAnswers === null ? null : fromJson<Record<string, unknown>>(q.savedAnswers),
      savedAt: q.savedAt,
      ...(showFeedback
        ? {
            earned: q.overridePoints ?? q.earned,
            lastTry: last ? { tryNumber: last.tryNumber, score: last.score, parts: fromJson<PartResult[]>(last.results) } : null,
          }
        : {}),
      ...(showAnswers && v ? { correctAnswers: fromJson<Record<string, AnswerValue>>(v.answers), solution: v.solution } : {}),
    };
  });
  const showTotal = !l.isOwner || finished || p.gradeDuringAttempt;
  return {
    id: a.id,
    examId: a.examId,
    examTitle: a.exam.title,
    number: a.number,
    status: a.status,
    startedAt: a.startedAt,
    deadline: a.deadline,
    finishedAt: a.finishedAt,
    maxPoints: a.maxPoints,
    ...(showTotal ? { points: a.points } : {}),
    questions,
  };
}
