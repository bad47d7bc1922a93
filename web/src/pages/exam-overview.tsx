/** An exam as a student sees it before and between attempts: its rules, my attempts, start or resume. */
import { api, must } from '../api/client';
import { ActionButton, ErrorMessage, Loading, PageTitle, formatDateTime, formatPoints } from '../components/ui';
import { useResource } from '../lib/resource';
import { navigate } from '../lib/router';
import { windowWords } from './course';
import type { PageProps } from '../routes';

const RELEASE_WORDS = {
  immediately: 'right after each graded question',
  'after-attempt': 'when you finish an attempt',
  'after-close': 'after the exam closes',
  never: 'never',
} as const;

export function ExamOverviewPage({ params }: PageProps) {
  const examId = params.examId;
  const exam = useResource(() => must(api.GET('/api/v1/exams/{examId}', { params: { path: { examId } } })), [examId]);
  const mine = useResource(() => must(api.GET('/api/v1/exams/{examId}/my-attempts', { params: { path: { examId } } })), [examId]);
  if (exam.error) return <ErrorMessage error={exam.error} />;
  if (!exam.data) return <Loading what="the exam" />;
  const e = exam.data;
  const p = e.blueprint.policies;
  const my = mine.data;
  const w = windowWords(e, my?.window);
  const attempts = my?.items ?? [];
  const limit = my ? my.window.timeLimitMinutes : p.timeLimitMinutes;
  const open = attempts.find((a) => a.status === 'OPEN');
  const questions = e.blueprint.sections.reduce((n, s) => n + s.count, 0);
  const points = e.blueprint.sections.reduce((n, s) => n + s.count * s.points, 0);
  return (
    <>
      <PageTitle sub={w.text}>{e.title}</PageTitle>
      <p>
        <a href={`/courses/${e.courseId}`}>Back to the course</a>
      </p>
      <dl class="facts wide">
        <dt>Questions</dt>
        <dd>
          {questions} ({points} points)
        </dd>
        <dt>Time limit</dt>
        <dd>{limit ? `${limit} minutes from the start of an attempt` : 'none'}</dd>
        <dt>Attempts</dt>
        <dd>
          {my ? `${attempts.length} used of ${my.window.maxAttempts}` : '…'}; your {p.scorePolicy === 'average' ? 'average' : p.scorePolicy} attempt counts
        </dd>
        <dt>Tries per question</dt>
        <dd>{p.gradeDuringAttempt ? `${p.triesPerQuestion}, graded as you submit each question` : 'graded when you finish'}</dd>
        <dt>Answers and solutions</dt>
        <dd>shown {RELEASE_WORDS[p.release]}</dd>
      </dl>
      {open ? (
        <p>
          <a class="button primary" href={`/attempts/${open.id}`}>
            Resume attempt {open.number}
          </a>
        </p>
      ) : (
        w.open &&
        my &&
        (my.attemptsLeft === 0 ? (
          <p>You have used all your attempts.</p>
        ) : (
          <ActionButton
            kind="primary"
            onClick={async () => {
              const a = await must(api.POST('/api/v1/exams/{examId}/attempts', { params: { path: { examId } } }));
              navigate(`/attempts/${a.id}`);
            }}
          >
            {attempts.length ? 'Start a new attempt' : 'Start the exam'}
          </ActionButton>
        ))
      )}
      <section aria-labelledby="mine-h">
        <h2 id="mine-h">My attempts</h2>
        <ErrorMessage error={mine.error} />
        {attempts.length === 0 ? (
          <p>None yet.</p>
        ) : (
          <table class="data">
            <caption class="visually-hidden">My attempts at {e.title}</caption>
            <thead>
              <tr>
                <th scope="col">Attempt</th>
                <th scope="col">Started</th>
                <th scope="col">Finished</th>
                <th scope="col">Points</th>
              </tr>
            </thead>
            <tbody>
              {attempts.map((a) => (
                <tr key={a.id}>
                  <td>
                    <a href={`/attempts/${a.id}`}>Attempt {a.number}</a>
                  </td>
                  <td>{formatDateTime(a.startedAt)}</td>
                  <td>{a.status === 'OPEN' ? 'in progress' : formatDateTime(a.finishedAt)}</td>
                  <td>{a.points === undefined ? 'not released' : `${formatPoints(a.points)} / ${formatPoints(a.maxPoints)}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
