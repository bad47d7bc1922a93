/** An attempt: the exam page while it is open, the result page once it is finished. */
import { useEffect, useState } from 'preact/hooks';
import { api, must, type ApiError } from '../api/client';
import { ErrorMessage, Loading } from '../components/ui';
import { learnSkew } from '../exam/clock';
import { asApiError } from '../lib/resource';
import { ExamTaking } from '../exam/taking';
import { AttemptResult } from '../exam/result';
import type { PageProps } from '../routes';

export type Attempt = Awaited<ReturnType<typeof loadAttempt>>;
export type Exam = Awaited<ReturnType<typeof loadExam>>;

export async function loadAttempt(attemptId: string) {
  const sentAt = Date.now();
  const call = api.GET('/api/v1/attempts/{attemptId}', { params: { path: { attemptId } } });
  const r = await call;
  learnSkew(r.response, sentAt);
  return must(Promise.resolve(r));
}

export function loadExam(examId: string) {
  return must(api.GET('/api/v1/exams/{examId}', { params: { path: { examId } } }));
}

export function AttemptPage({ params }: PageProps) {
  const attemptId = params.attemptId;
  const [state, setState] = useState<{ attempt: Attempt; exam: Exam } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    let live = true;
    loadAttempt(attemptId)
      .then(async (attempt) => ({ attempt, exam: await loadExam(attempt.examId) }))
      .then(
        (s) => live && setState(s),
        (e: unknown) => live && setError(asApiError(e)),
      );
    return () => {
      live = false;
    };
  }, [attemptId]);
  if (error) return <ErrorMessage error={error} />;
  if (!state) return <Loading what="the exam" />;
  if (state.attempt.status === 'FINISHED') return <AttemptResult attempt={state.attempt} exam={state.exam} />;
  return <ExamTaking attempt={state.attempt} exam={state.exam} onFinished={(attempt) => setState({ attempt, exam: state.exam })} />;
}
