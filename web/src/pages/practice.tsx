/** Practice by topic: a fresh variant, instant feedback with the solution, and "another one like this". */
import { useEffect, useState } from 'preact/hooks';
import { api, must, type ApiError } from '../api/client';
import { ErrorMessage, Loading, PageTitle } from '../components/ui';
import { QuestionBody, type PartResult } from '../components/question';
import { toRequest, type Answers } from '../exam/answers';
import { allPages } from '../lib/pages';
import { asApiError, useResource } from '../lib/resource';
import type { PageProps } from '../routes';

interface Variant {
  id: string;
  templateId: string;
  title: string;
  prompt: string;
  parts: Parameters<typeof QuestionBody>[0]['parts'];
}
interface Graded {
  score: number;
  points: number;
  maxPoints: number;
  parts: PartResult[];
  correctAnswers: Record<string, unknown>;
  solution: string;
}

function topicName(t: string) {
  return t.replace(/-/g, ' ');
}

export function PracticePage({ params, query }: PageProps) {
  const courseId = params.courseId;
  const topic = query.get('topic');
  const templates = useResource(
    () =>
      allPages((page) =>
        must(api.GET('/api/v1/courses/{courseId}/templates', { params: { path: { courseId }, query: { page: String(page), pageSize: '100' } } })),
      ),
    [courseId],
  );
  const topics = [...new Set((templates.data ?? []).map((t) => t.topic))].sort();
  return (
    <>
      <PageTitle>{topic ? `Practice: ${topicName(topic)}` : 'Practice'}</PageTitle>
      <p>
        <a href={`/courses/${courseId}`}>Back to the course</a>
      </p>
      <ErrorMessage error={templates.error} />
      {!templates.data && !templates.error && <Loading what="topics" />}
      {templates.data && (
        <nav aria-label="Topics" class="topics">
          <ul>
            {topics.map((t) => (
              <li key={t}>
                <a href={`/courses/${courseId}/practice?topic=${encodeURIComponent(t)}`} aria-current={t === topic ? 'page' : undefined}>
                  {topicName(t)} <span class="muted">({templates.data?.filter((x) => x.topic === t).length})</span>
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {topic && <PracticeProblem key={`${topic}`} courseId={courseId} topic={topic} templateId={query.get('template')} />}
    </>
  );
}

function PracticeProblem(props: { courseId: string; topic: string; templateId: string | null }) {
  const [variant, setVariant] = useState<Variant | null>(null);
  const [answers, setAnswers] = useState<Answers>({});
  const [graded, setGraded] = useState<Graded | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const fetchOne = (body: { topic: string } | { templateId: string }) => {
    setBusy(true);
    setError(null);
    must(api.POST('/api/v1/courses/{courseId}/practice', { params: { path: { courseId: props.courseId } }, body }))
      .then((v) => {
        setVariant(v);
        setAnswers({});
        setGraded(null);
        document.getElementById('practice-problem')?.focus();
      })
      .catch((e: unknown) => setError(asApiError(e)))
      .finally(() => setBusy(false));
  };
  useEffect(() => fetchOne(props.templateId ? { templateId: props.templateId } : { topic: props.topic }), []);
  const v = variant;
  return (
    <section class="problem" aria-labelledby="practice-problem" aria-busy={busy}>
      <ErrorMessage error={error} />
      {!v && busy && <Loading what="a problem" />}
      {v && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setBusy(true);
            setError(null);
            must(api.POST('/api/v1/variants/{variantId}/submissions', { params: { path: { variantId: v.id } }, body: { answers: toRequest(answers) } }))
              .then((g) => {
                setGraded(g);
                queueMicrotask(() => document.getElementById('practice-result')?.focus());
              })
              .catch((err: unknown) => setError(asApiError(err)))
              .finally(() => setBusy(false));
          }}
        >
          <h2 id="practice-problem" tabIndex={-1}>
            {v.title}
          </h2>
          <QuestionBody
            idPrefix={`p-${v.id.slice(0, 8)}`}
            prompt={v.prompt}
            parts={v.parts}
            answers={answers}
            disabled={graded !== null}
            onChange={(id, val) => setAnswers((a) => ({ ...a, [id]: val }))}
            results={graded?.parts}
            correctAnswers={graded?.correctAnswers}
            solution={graded?.solution}
          />
          {graded && (
            <p class="score" id="practice-result" tabIndex={-1} role="status">
              Score: {Number(graded.points.toFixed(2))} of {graded.maxPoints} points ({Math.round(graded.score * 100)} %)
            </p>
          )}
          <div class="buttons">
            {!graded && (
              <button type="submit" class="primary" aria-disabled={busy}>
                Check my answers
              </button>
            )}
            <button type="button" onClick={() => fetchOne({ templateId: v.templateId })} aria-disabled={busy}>
              Another one like this
            </button>
            <button type="button" onClick={() => fetchOne({ topic: props.topic })} class="plain" aria-disabled={busy}>
              Another problem of this topic
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
