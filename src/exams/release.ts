/**
 * What a student may see of a question, by the exam's policies. Scores of graded tries are
 * shown during the attempt only when the exam grades during the attempt; correct answers and
 * solutions only when the release policy says so.
 */
import type { Policies } from './blueprint.js';

export interface QuestionState {
  attemptFinished: boolean;
  /** Solved, or out of tries. */
  questionEnded: boolean;
  /** The close time that applies to this student (override or exam), if any. */
  closesAt?: Date;
  examArchived: boolean;
  now: Date;
}

/** answersReleased(policies, s): may correct answers and the solution be shown? */
export function answersReleased(p: Policies, s: QuestionState): boolean {
  switch (p.release) {
    case 'immediately':
      return s.questionEnded || s.attemptFinished;
    case 'after-attempt':
      return s.attemptFinished;
    case 'after-close':
      return s.attemptFinished && (s.closesAt ? s.now >= s.closesAt : s.examArchived);
    case 'never':
      return false;
  }
}

/** feedbackVisible(policies, s): may per-part results and points be shown? */
export function feedbackVisible(p: Policies, s: QuestionState): boolean {
  return p.gradeDuringAttempt || s.attemptFinished;
}
