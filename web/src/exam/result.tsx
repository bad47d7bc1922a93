/** The result page: score, per-part feedback, and the correct answers and typeset solutions once the policy releases them. */
import { useEffect } from 'preact/hooks';
import { PageTitle, formatDateTime, formatPoints } from '../components/ui';
import { QuestionBody } from '../components/question';
import { fromStored, type Answers } from './answers';
import { storageKey } from './outbox';
import { deviceStorage } from '../lib/device-storage';
import type { Attempt, Exam } from '../pages/attempt';

export function AttemptResult({ attempt, exam }: { attempt: Attempt; exam: Exam }) {
  useEffect(() => {
    // The server has every answer now; nothing is kept on this device any longer.
    deviceStorage.removeItem(storageKey(attempt.id));
  }, [attempt.id]);
  const released = attempt.questions.some((q) => q.correctAnswers !== undefined);
  return (
    <div class="result">
      <PageTitle sub={`Attempt ${attempt.number}, finished ${formatDateTime(attempt.finishedAt)}`}>{`Result: ${attempt.examTitle}`}</PageTitle>
      <p class="score big" role="status">
        {attempt.points === undefined ? (
          <>Your score is not released yet.</>
        ) : (
          <>
            Score: {formatPoints(attempt.points)} of {formatPoints(attempt.maxPoints)} points (
            {Math.round((attempt.points / Math.max(attempt.maxPoints, 1e-9)) * 100)} %)
          </>
        )}
      </p>
      {!released && (
        <p class="notice">
          Correct answers and solutions are shown{' '}
          {exam.blueprint.policies.release === 'never'
            ? 'never for this exam'
            : exam.blueprint.policies.release === 'after-close'
              ? 'after the exam closes'
              : 'later'}
          .
        </p>
      )}
      <p>
        <a href={`/exams/${attempt.examId}`}>Back to the exam</a>
      </p>
      {attempt.questions.map((q, i) => {
        const answers: Answers = {};
        for (const p of q.parts) if (q.savedAnswers?.[p.id] !== undefined) answers[p.id] = fromStored(p, q.savedAnswers[p.id]);
        return (
          <section key={q.position} class="question" aria-labelledby={`r${q.position}-h`}>
            <h2 id={`r${q.position}-h`}>
              Question {i + 1}: {q.title}{' '}
              <span class="muted">
                ({q.earned === undefined ? '—' : formatPoints(q.earned)} of {formatPoints(q.maxPoints)} points)
              </span>
            </h2>
            <QuestionBody
              idPrefix={`r${q.position}`}
              prompt={q.prompt}
              parts={q.parts}
              answers={answers}
              disabled
              results={q.lastTry?.parts}
              correctAnswers={q.correctAnswers}
              solution={q.solution}
            />
          </section>
        );
      })}
    </div>
  );
}
