/** The catalogue by topic (staff), and a template's preview by seed with its answers and solution; a built-in can be copied into the course from there. */
import { useState } from 'preact/hooks';
import { api, must, type ApiError } from '../api/client';
import { ErrorMessage, Loading, PageTitle } from '../components/ui';
import { Field } from '../components/field';
import { Markdown, QuestionBody } from '../components/question';
import { answerText } from '../exam/explain';
import { allPages } from '../lib/pages';
import { asApiError, useResource } from '../lib/resource';
import { navigate } from '../lib/router';
import { copyTemplate, editorHref } from './authoring-common';
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
      <nav aria-label="Catalogue" class="subnav">
        <a href={`/courses/${courseId}`}>Back to the course</a>
        <a href={`/courses/${courseId}/authoring`}>Course templates</a>
      </nav>
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
                  {t.source === 'course' && <span class="badge">this course’s</span>}{' '}
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
      {v &&
        (v.templateId === templateId ? <CopyIntoCourse courseId={courseId} templateId={templateId} /> : <OwnTemplate courseId={courseId} slug={templateId} />)}
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

/** A built-in (its internal id is its slug): a copy of it in the course, to edit. */
function CopyIntoCourse({ courseId, templateId }: { courseId: string; templateId: string }) {
  const [id, setId] = useState(templateId);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const fieldError = error?.fieldErrors().get('body.id');
  return (
    <form
      class="inline-form copy-form"
      aria-label="Copy into this course"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (busy) return;
        setBusy(true);
        setError(null);
        copyTemplate(courseId, templateId, id.trim() && id.trim() !== templateId ? id.trim() : undefined)
          .then((t) => navigate(editorHref(courseId, t.slug)))
          .catch((err: unknown) => setError(asApiError(err)))
          .finally(() => setBusy(false));
      }}
    >
      <Field
        label="Id of the copy"
        id="copy-id"
        hint="A draft in the course templates, to edit; under this template’s id, once published it replaces the built-in in this course."
        value={id}
        onInput={(e) => setId(e.currentTarget.value)}
        error={fieldError}
      />
      <button type="submit" aria-disabled={busy}>
        Copy into this course
      </button>
      {!fieldError && <ErrorMessage error={error} />}
    </form>
  );
}

/** A course template: its page in the course templates. */
function OwnTemplate({ courseId, slug }: { courseId: string; slug: string }) {
  return (
    <p>
      This is a course template. <a href={editorHref(courseId, slug)}>Edit it in the course templates</a>.
    </p>
  );
}
