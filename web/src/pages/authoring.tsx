/**
 * A course's own templates (staff): each with its state, a new one, a copy of a built-in,
 * the export as one YAML file, and (instructors) the import of such a file with what became
 * of each template in it.
 */
import { useState } from 'preact/hooks';
import { api, must, type ApiError } from '../api/client';
import { ActionButton, ErrorMessage, Loading, PageTitle, formatDateTime } from '../components/ui';
import { Field, SelectField } from '../components/field';
import { allPages } from '../lib/pages';
import { asApiError, useResource } from '../lib/resource';
import { navigate } from '../lib/router';
import { useCourse } from './course';
import { copyTemplate, downloadExport, editorHref, stateWords } from './authoring-common';
import type { PageProps } from '../routes';

export function CourseTemplatesPage({ params }: PageProps) {
  const courseId = params.courseId;
  const course = useCourse(courseId);
  const list = useResource(() => must(api.GET('/api/v1/courses/{courseId}/authoring/templates', { params: { path: { courseId } } })), [courseId]);
  const instructor = course.data?.role === 'INSTRUCTOR';
  const items = list.data?.items;
  return (
    <>
      <PageTitle sub={items ? `${items.length} template${items.length === 1 ? '' : 's'} of this course` : undefined}>Course templates</PageTitle>
      <nav aria-label="Course templates" class="subnav">
        <a href={`/courses/${courseId}`}>Back to the course</a>
        <a href={`/courses/${courseId}/catalogue`}>Catalogue</a>
      </nav>
      <p>
        Templates written for this course. Students get a template once a version of it is published (after a passing self-test); a course template with a
        built-in’s id replaces that built-in in this course only.
      </p>
      <div class="buttons">
        <a class="button primary" href={`/courses/${courseId}/new-template`}>
          New template
        </a>
        <ActionButton onClick={() => downloadExport(courseId, course.data?.code ?? 'course')}>Download all (YAML)</ActionButton>
      </div>
      <ErrorMessage error={course.error ?? list.error} />
      {!items && !list.error && <Loading what="the course's templates" />}
      {items && items.length === 0 && <p>No course templates yet: write a new one, or copy a built-in below.</p>}
      {items && items.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="group" aria-label="Table; scrolls sideways on narrow screens">
          <table class="data">
            <caption>This course’s templates</caption>
            <thead>
              <tr>
                <th scope="col">Template</th>
                <th scope="col">State</th>
                <th scope="col">Topic</th>
                <th scope="col">Changed</th>
              </tr>
            </thead>
            <tbody>
              {items.map((t) => (
                <tr key={t.id}>
                  <td>
                    <a href={editorHref(courseId, t.slug)}>{t.title}</a> <span class="muted mono">{t.slug}</span>
                    {t.copiedFromId && <span class="muted"> · copied from {t.copiedFromId}</span>}
                  </td>
                  <td>
                    <span class={t.archived ? 'badge' : t.currentVersion ? 'badge open' : 'badge draft'}>{stateWords(t)}</span>
                  </td>
                  <td>{t.topic}</td>
                  <td>{formatDateTime(t.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CopyBuiltin courseId={courseId} />
      {course.data && (instructor ? <Import courseId={courseId} onDone={list.reload} /> : <ImportNote />)}
    </>
  );
}

function CopyBuiltin({ courseId }: { courseId: string }) {
  const catalogue = useResource(
    () =>
      allPages((page) =>
        must(api.GET('/api/v1/courses/{courseId}/templates', { params: { path: { courseId }, query: { page: String(page), pageSize: '100' } } })),
      ),
    [courseId],
  );
  const builtins = (catalogue.data ?? []).filter((t) => t.source === 'builtin');
  const [from, setFrom] = useState('');
  const [id, setId] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const fields = error?.fieldErrors();
  const atField = Boolean(fields?.get('body.from') ?? fields?.get('body.id'));
  return (
    <section aria-labelledby="copy-h">
      <h2 id="copy-h">Copy a built-in</h2>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (busy) return;
          setBusy(true);
          setError(null);
          copyTemplate(courseId, from, id.trim() || undefined)
            .then((t) => navigate(editorHref(courseId, t.slug)))
            .catch((err: unknown) => setError(asApiError(err)))
            .finally(() => setBusy(false));
        }}
      >
        <ErrorMessage error={catalogue.error} />
        <SelectField
          label="Built-in template"
          id="copy-from"
          value={from}
          onChange={(e) => setFrom(e.currentTarget.value)}
          options={[['', '— choose —'], ...builtins.map((t): [string, string] => [t.id, `${t.topic}: ${t.title} (${t.id})`])]}
          error={fields?.get('body.from')}
        />
        <Field
          label="Id of the copy (optional)"
          id="copy-id"
          hint="Empty: the built-in’s id, so that once published the copy replaces the built-in in this course."
          value={id}
          onInput={(e) => setId(e.currentTarget.value)}
          error={fields?.get('body.id')}
        />
        <ErrorMessage error={atField ? null : error} />
        <div class="buttons">
          <button type="submit" aria-disabled={busy}>
            Copy into this course
          </button>
        </div>
      </form>
    </section>
  );
}

const RESULT_WORDS = { created: 'created as a new template', 'new-version': 'saved as a new version', unchanged: 'unchanged' } as const;

interface BadDocument {
  document: number;
  message: string;
}
const badDocuments = (e: ApiError): BadDocument[] =>
  Array.isArray(e.details)
    ? (e.details as unknown[]).filter(
        (d): d is BadDocument => typeof (d as BadDocument)?.document === 'number' && typeof (d as BadDocument).message === 'string',
      )
    : [];

function Import({ courseId, onDone }: { courseId: string; onDone: () => void }) {
  const [bundle, setBundle] = useState('');
  const [fileError, setFileError] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<{ id: string; result: keyof typeof RESULT_WORDS; version: number }[] | null>(null);
  const bad = error ? badDocuments(error) : [];
  return (
    <section aria-labelledby="import-h">
      <h2 id="import-h">Import</h2>
      <p>
        A YAML file of templates in the problems/ format (as the download above makes). New ids become draft templates, known ones a new version; nothing is
        stored unless every template in it is valid.
      </p>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (busy) return;
          setBusy(true);
          setError(null);
          setResults(null);
          must(api.POST('/api/v1/courses/{courseId}/authoring/import', { params: { path: { courseId } }, body: { bundle } }))
            .then((r) => {
              setResults(r.results);
              onDone();
            })
            .catch((err: unknown) => setError(asApiError(err)))
            .finally(() => setBusy(false));
        }}
      >
        <div class="field">
          <label for="import-file">A YAML file</label>
          <span class="hint" id="import-file-hint">
            Choosing a file puts its text in the box below.
          </span>
          <input
            id="import-file"
            type="file"
            accept=".yaml,.yml,application/yaml,text/yaml,text/plain"
            aria-describedby={`import-file-hint${fileError ? ' import-file-error' : ''}`}
            aria-invalid={fileError ? true : undefined}
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              setFileError(null);
              if (file)
                file.text().then(setBundle, (err: unknown) => setFileError(`The file could not be read: ${err instanceof Error ? err.message : String(err)}`));
            }}
          />
          {fileError && (
            <span class="field-error" id="import-file-error">
              {fileError}
            </span>
          )}
        </div>
        <div class="field">
          <label for="import-bundle">Or paste the templates</label>
          <textarea
            id="import-bundle"
            class="mono"
            rows={8}
            spellcheck={false}
            value={bundle}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'import-error' : undefined}
            onInput={(e) => setBundle(e.currentTarget.value)}
          />
        </div>
        {error && (
          <div id="import-error">
            {bad.length > 0 ? (
              <p class="error" role="alert">
                Nothing was imported: {bad.length === 1 ? 'a template in the file is' : `${bad.length} templates in the file are`} not valid{' '}
                <span class="code">({error.code})</span>
              </p>
            ) : (
              <ErrorMessage error={error} />
            )}
            {bad.length > 0 && (
              <ul class="issues error">
                {bad.map((b) => (
                  <li key={b.document}>
                    Template {b.document} in the file: {b.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        <div class="buttons">
          <button type="submit" class="primary" aria-disabled={busy}>
            Import
          </button>
        </div>
      </form>
      {results && (
        <div role="status">
          <h3>Imported {results.length} template(s)</h3>
          <ul>
            {results.map((r) => (
              <li key={r.id}>
                <a href={editorHref(courseId, r.id, r.version)}>{r.id}</a>: {RESULT_WORDS[r.result]} (version {r.version})
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function ImportNote() {
  return (
    <section aria-labelledby="import-h">
      <h2 id="import-h">Import</h2>
      <p class="muted">Only the course’s instructors import templates, publish them and archive them.</p>
    </section>
  );
}
