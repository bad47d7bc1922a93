/** The catalogue by topic (staff), and a template's preview by seed with its answers and solution. */
import { useState } from 'preact/hooks';
import { api, must } from '../api/client';
import { ErrorMessage, Loading, PageTitle } from '../components/ui';
import { Markdown, QuestionBody } from '../components/question';
import { answerText } from '../exam/explain';
import { allPages } from '../lib/pages';
import { useResource } from '../lib/resource';
import { navigate } from '../lib/router';
import type { PageProps } from '../routes';

export function CataloguePage({ params }: PageProps) {
  const courseId = params.courseId;
  const templates = useResource(
    () =>
      allPages((page) =>
        must(api.GET('/api/v1/courses/{courseId}/templates', { params: { path: { courseId }, query: { page: String(page), pageSize: '100' } } })),
      ),
    [courseId],
  );
  const byTopic = new Map<string, NonNullable<typeof templates.data>>();
  for (const t of templates.data ?? []) byTopic.set(t.topic, [...(byTopic.get(t.topic) ?? []), t]);
  return (
    <>
      <PageTitle sub={templates.data ? `${templates.data.length} templates in ${byTopic.size} topics` : undefined}>Catalogue</PageTitle>
      <p>
        <a href={`/courses/${courseId}`}>Back to the course</a>
      </p>
      <ErrorMessage error={templates.error} />
      {!templates.data && !templates.error && <Loading what="the catalogue" />}
      {[...byTopic.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([topic, list]) => (
          <section key={topic} aria-labelledby={`t-${topic}`}>
            <h2 id={`t-${topic}`}>{topic.replace(/-/g, ' ')}</h2>
            <ul class="template-list">
              {list.map((t) => (
                <li key={t.id}>
                  <a href={`/courses/${courseId}/templates/${t.id}`}>{t.title}</a> <span class="muted mono">{t.id}</span>{' '}
                  <span class="muted">
                    difficulty {t.difficulty} · {t.tags.join(', ')}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        ))}
    </>
  );
}

export function PreviewPage({ params, query }: PageProps) {
  const { courseId, templateId } = params;
  const seed = Number(query.get('seed') ?? '1') || 1;
  const [seedText, setSeedText] = useState(String(seed));
  const preview = useResource(
    () =>
      must(api.GET('/api/v1/courses/{courseId}/templates/{templateId}/preview', { params: { path: { courseId, templateId }, query: { seed: String(seed) } } })),
    [courseId, templateId, seed],
  );
  const go = (s: number) => {
    setSeedText(String(s));
    navigate(`/courses/${courseId}/templates/${templateId}?seed=${s}`, { replace: true });
  };
  const v = preview.data;
  return (
    <>
      <PageTitle sub={v ? `version ${v.version} · seed ${v.seed}` : undefined}>{v ? `Preview: ${v.title}` : 'Preview'}</PageTitle>
      <p>
        <a href={`/courses/${courseId}/catalogue`}>Back to the catalogue</a>
      </p>
      <form
        class="inline-form"
        aria-label="Choose a seed"
        onSubmit={(e) => {
          e.preventDefault();
          go(Math.max(0, Math.floor(Number(seedText) || 0)));
        }}
      >
        <div class="field">
          <label for="seed">Seed</label>
          <input id="seed" type="number" min={0} value={seedText} onInput={(e) => setSeedText(e.currentTarget.value)} />
        </div>
        <button type="submit">Show this seed</button>
        <button type="button" onClick={() => go(Math.floor(Math.random() * 1_000_000) + 1)}>
          New seed
        </button>
      </form>
      <ErrorMessage error={preview.error} />
      {!v && !preview.error && <Loading what="the preview" />}
      {v && (
        <div class="preview" aria-busy={preview.loading}>
          <QuestionBody idPrefix="pv" prompt={v.prompt} parts={v.parts} answers={{}} disabled correctAnswers={v.answers} />
          <section aria-labelledby="params-h">
            <h2 id="params-h">Parameters</h2>
            <dl class="facts">
              {Object.entries(v.params).map(([k, val]) => (
                <>
                  <dt class="mono">{k}</dt>
                  <dd class="mono">{answerText(val)}</dd>
                </>
              ))}
            </dl>
          </section>
          <section aria-labelledby="sol-h">
            <h2 id="sol-h">Solution</h2>
            <Markdown text={v.solution} />
          </section>
        </div>
      )}
    </>
  );
}
