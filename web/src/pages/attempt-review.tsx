/** A student's attempt as its staff see it: answers, grading, point overrides with a reason, and the audit trail. */
import { useState } from 'preact/hooks';
import { api, must, type ApiError } from '../api/client';
import { ErrorMessage, Loading, PageTitle, formatDateTime, formatPoints } from '../components/ui';
import { QuestionBody } from '../components/question';
import { Field } from '../components/field';
import { fromStored, type Answers } from '../exam/answers';
import { asApiError, useResource } from '../lib/resource';
import type { PageProps } from '../routes';
import { formText } from '../lib/form';

export function AttemptReviewPage({ params }: PageProps) {
  const { examId, attemptId } = params;
  const attempt = useResource(() => must(api.GET('/api/v1/attempts/{attemptId}', { params: { path: { attemptId } } })), [attemptId]);
  const audit = useResource(() => must(api.GET('/api/v1/attempts/{attemptId}/audit', { params: { path: { attemptId } } })), [attemptId]);
  if (attempt.error) return <ErrorMessage error={attempt.error} />;
  if (!attempt.data) return <Loading what="the attempt" />;
  const a = attempt.data;
  return (
    <>
      <PageTitle
        sub={`Attempt ${a.number} · ${a.status === 'OPEN' ? 'in progress' : `finished ${formatDateTime(a.finishedAt)}`}`}
      >{`Review: ${a.examTitle}`}</PageTitle>
      <p>
        <a href={`/exams/${examId}/manage`}>Back to the exam</a>
      </p>
      <p class="score big">
        {formatPoints(a.points)} of {formatPoints(a.maxPoints)} points
      </p>
      {a.questions.map((q, i) => {
        const answers: Answers = {};
        for (const p of q.parts) if (q.savedAnswers?.[p.id] !== undefined) answers[p.id] = fromStored(p, q.savedAnswers[p.id]);
        return (
          <section key={q.position} class="question" aria-labelledby={`rv${q.position}-h`}>
            <h2 id={`rv${q.position}-h`}>
              Question {i + 1}: {q.title}{' '}
              <span class="muted">
                ({formatPoints(q.earned)} of {formatPoints(q.maxPoints)} points)
              </span>
            </h2>
            <QuestionBody
              idPrefix={`rv${q.position}`}
              prompt={q.prompt}
              parts={q.parts}
              answers={answers}
              disabled
              results={q.lastTry?.parts}
              correctAnswers={q.correctAnswers}
              solution={q.solution}
            />
            {a.status === 'FINISHED' && (
              <OverrideForm
                attemptId={attemptId}
                position={q.position}
                number={i + 1}
                onDone={() => {
                  attempt.reload();
                  audit.reload();
                }}
              />
            )}
          </section>
        );
      })}
      <section aria-labelledby="audit-h">
        <h2 id="audit-h">Point overrides</h2>
        <ErrorMessage error={audit.error} />
        {audit.data && audit.data.items.length === 0 && <p>None.</p>}
        {audit.data && audit.data.items.length > 0 && (
          <ul>
            {audit.data.items.map((o) => (
              <li key={o.id}>
                {formatDateTime(o.createdAt)}: question at position {o.position}, {o.previousPoints ?? 'graded'} → {o.newPoints ?? 'graded'} by{' '}
                {o.by.name ?? o.by.email ?? o.by.id}: “{o.reason}”
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function OverrideForm(props: { attemptId: string; position: number; number: number; onDone: () => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const id = `ov${props.position}`;
  return (
    <form
      class="inline-form"
      aria-label={`Override the points of question ${props.number}`}
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        const pts = formText(f, 'points').trim();
        setError(null);
        must(
          api.POST('/api/v1/attempts/{attemptId}/questions/{position}/override', {
            params: { path: { attemptId: props.attemptId, position: String(props.position) } },
            body: { points: pts === '' ? null : Number(pts), reason: formText(f, 'reason') },
          }),
        )
          .then(props.onDone)
          .catch((err: unknown) => setError(asApiError(err)));
      }}
    >
      <Field
        label={`Points for question ${props.number} (empty: back to graded)`}
        name="points"
        id={`${id}-points`}
        type="number"
        step="any"
        min={0}
        error={error?.fieldErrors().get('body.points')}
      />
      <Field label="Reason" name="reason" id={`${id}-reason`} required error={error?.fieldErrors().get('body.reason')} />
      <button type="submit">Override points</button>
      <ErrorMessage error={error} />
    </form>
  );
}
