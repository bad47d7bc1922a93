/**
 * The template editor (staff): the YAML beside a preview of the saved version. Errors are
 * found as one types (a validate call 400 ms after the last keystroke) and shown at their
 * line: in the gutter, and as a list whose items put the caret on the line. Saving makes a
 * new version (a draft); the self-test (with its progress when the server streams it),
 * publishing (instructors, after a passing self-test) and archiving work on the version shown.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, must, offlineError } from '../api/client';
import { ErrorMessage, Loading, PageTitle, formatDateTime } from '../components/ui';
import { Markdown, QuestionBody } from '../components/question';
import { IssueList, YamlEditor, moveCaret, placeIssues, type Issue, type PlacedIssue } from '../components/yaml-editor';
import { answerText } from '../exam/explain';
import { asApiError, useResource } from '../lib/resource';
import { navigate } from '../lib/router';
import { authorizedFetch } from '../lib/session';
import { useCourse } from './course';
import {
  STARTER,
  editorHref,
  historyHref,
  loadTemplate,
  loadVersion,
  selfTestWords,
  stateWords,
  templatesHref,
  versionWords,
  type SelfTestReport,
  type TemplateData,
  type VersionData,
} from './authoring-common';
import type { PageProps } from '../routes';

/** The issues of one text: what validate said of it, or what a refused save said. */
interface Report {
  source: string;
  errors: Issue[];
  warnings: Issue[];
}

const isIssue = (x: unknown): x is Issue => typeof x === 'object' && x !== null && Array.isArray((x as Issue).path) && typeof (x as Issue).message === 'string';

/** The issues a refused save carries: TEMPLATE_INVALID's lists, or one issue at `id` (TEMPLATE_ID_MISMATCH, TEMPLATE_EXISTS). */
function issuesOfSaveError(e: ApiError): { errors: Issue[]; warnings: Issue[] } | undefined {
  const d = e.details as { errors?: unknown; warnings?: unknown; path?: unknown; id?: unknown } | undefined;
  if (d && Array.isArray(d.errors)) return { errors: d.errors.filter(isIssue), warnings: Array.isArray(d.warnings) ? d.warnings.filter(isIssue) : [] };
  if (e.code === 'TEMPLATE_ID_MISMATCH' || e.code === 'TEMPLATE_EXISTS') return { errors: [{ path: ['id'], code: e.code, message: e.message }], warnings: [] };
  return undefined;
}

/** Validates the text 400 ms after it last changed; answers that arrive for an older text are dropped. */
function useValidation(courseId: string, source: string) {
  const [report, setReport] = useState<Report | null>(null);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    if (!source.trim()) {
      setReport({ source, errors: [{ path: [], code: 'EMPTY', message: 'The template is empty.' }], warnings: [] });
      return;
    }
    let live = true;
    setChecking(true);
    const timer = setTimeout(() => {
      must(api.POST('/api/v1/courses/{courseId}/authoring/validate', { params: { path: { courseId } }, body: { source } }))
        .then((r) => {
          if (!live) return;
          setReport({ source, errors: r.errors, warnings: r.warnings });
          setError(null);
        })
        .catch((e: unknown) => live && setError(asApiError(e)))
        .finally(() => live && setChecking(false));
    }, 400);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [courseId, source]);
  return { report, setReport, checking, error };
}

export function NewTemplatePage({ params }: PageProps) {
  const courseId = params.courseId;
  const course = useCourse(courseId);
  return (
    <>
      <PageTitle sub={course.data?.title}>New template</PageTitle>
      <nav aria-label="Course templates" class="subnav">
        <a href={templatesHref(courseId)}>Back to the course templates</a>
      </nav>
      <p>
        Write the template in the problems/ format (the starting text is a working example). Creating it stores version 1 as a draft; preview, self-test and
        publishing come after.
      </p>
      <SourceEditor courseId={courseId} initial={STARTER} />
    </>
  );
}

export function TemplateEditorPage({ params, query }: PageProps) {
  const { courseId, slug } = params;
  const course = useCourse(courseId);
  const template = useResource(() => loadTemplate(courseId, slug), [courseId, slug]);
  const asked = Number(query.get('version')) || undefined;
  const shown = asked ?? template.data?.latestVersion;
  const version = useResource(() => (shown ? loadVersion(courseId, slug, shown) : Promise.resolve(undefined)), [courseId, slug, shown]);
  const t = template.data;
  const v = version.data;
  if (template.error) return <ErrorMessage error={template.error} />;
  if (!t) return <Loading what="the template" />;
  const instructor = course.data?.role === 'INSTRUCTOR';
  const reload = () => {
    template.reload();
    version.reload();
  };
  return (
    <div class="editor-page">
      <PageTitle sub={`${t.slug} · ${stateWords(t)}`}>{`Edit template: ${t.title}`}</PageTitle>
      <nav aria-label="Template" class="subnav">
        <a href={templatesHref(courseId)}>Back to the course templates</a>
        <a href={historyHref(courseId, slug)}>Version history ({t.versions.length})</a>
        {t.currentVersion && <a href={`/courses/${courseId}/templates/${slug}`}>Preview as the course sees it</a>}
      </nav>
      {t.archived && <p class="notice">This template is archived: pools and practice no longer draw it, and it takes no new versions until it is restored.</p>}
      <ErrorMessage error={version.error} />
      {!v && !version.error && <Loading what={`version ${shown}`} />}
      {v && (
        <>
          {v.version !== t.latestVersion && (
            <p class="notice">
              You are looking at version {v.version} of {t.latestVersion}. Saving makes a new version from this text;{' '}
              <a href={editorHref(courseId, slug)}>go to the latest version</a>.
            </p>
          )}
          <p class="muted">
            Version {v.version}: {versionWords(v)}, self-test {selfTestWords(v)}, saved {formatDateTime(v.createdAt)}.
          </p>
          <div class="editor-grid">
            <SourceEditor
              courseId={courseId}
              template={t}
              version={v}
              initial={v.source}
              onSaved={(n) => {
                template.reload();
                navigate(editorHref(courseId, slug, n), { replace: true, keepScroll: true });
              }}
            />
            <VersionPreview courseId={courseId} slug={slug} version={v.version} />
          </div>
          <SelfTest courseId={courseId} slug={slug} version={v} onDone={reload} />
          <Publishing courseId={courseId} template={t} version={v} instructor={instructor} known={Boolean(course.data)} onDone={reload} />
        </>
      )}
    </div>
  );
}

/** The YAML with its issues, and the button that creates the template (no template yet) or saves a new version. */
function SourceEditor(props: { courseId: string; template?: TemplateData; version?: VersionData; initial: string; onSaved?: (version: number) => void }) {
  const { courseId, template } = props;
  const [source, setSource] = useState(props.initial);
  // Another version was loaded ("view" from the history, or the one just saved): its text.
  const loadedVersion = props.version?.version;
  // The text of a save in flight: the version it makes comes back with that text, and what was
  // typed while it was being saved must not be replaced by it.
  const sending = useRef<string | null>(null);
  useEffect(() => {
    const sent = sending.current;
    sending.current = null;
    setSource((now) => (sent !== null && props.initial === sent ? now : props.initial));
  }, [loadedVersion]);
  const { report, setReport, checking, error: validateError } = useValidation(courseId, source);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const saveErrorRef = useRef<HTMLParagraphElement>(null);
  const errors: PlacedIssue[] = report ? placeIssues(report.source, report.errors) : [];
  const warnings: PlacedIssue[] = report ? placeIssues(report.source, report.warnings) : [];
  const current = report?.source === source;
  const dirty = props.version ? source !== props.version.source : true;
  const go = (i: PlacedIssue) => i.at && textarea.current && moveCaret(textarea.current, i.at.line, i.at.column);
  const statusText = !report
    ? 'Not checked yet.'
    : errors.length
      ? `${errors.length} error${errors.length === 1 ? '' : 's'}${warnings.length ? `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : ''}: the first at ${errors[0].at ? `line ${errors[0].at.line}` : 'the template as a whole'}.`
      : warnings.length
        ? `No errors; ${warnings.length} warning${warnings.length === 1 ? '' : 's'}.`
        : 'No errors.';
  const describedBy = ['yaml-status', errors.length ? 'yaml-errors' : '', warnings.length ? 'yaml-warnings' : ''].filter(Boolean).join(' ');

  const save = () => {
    if (saving) return;
    setSaving(true);
    setSaveError(null);
    setSaved(null);
    const text = source;
    sending.current = text;
    const call = template
      ? must(
          api.POST('/api/v1/courses/{courseId}/authoring/templates/{slug}/versions', {
            params: { path: { courseId, slug: template.slug } },
            body: { source: text },
          }),
        ).then((v) => {
          setSaved(v.version > template.latestVersion ? `Saved as version ${v.version} (a draft).` : `Nothing new to save: this text is version ${v.version}.`);
          props.onSaved?.(v.version);
        })
      : must(api.POST('/api/v1/courses/{courseId}/authoring/templates', { params: { path: { courseId } }, body: { source: text } })).then((t) =>
          navigate(editorHref(courseId, t.slug)),
        );
    call
      .catch((e: unknown) => {
        sending.current = null;
        const err = asApiError(e);
        setSaveError(err);
        const issues = issuesOfSaveError(err);
        if (issues) setReport({ source: text, ...issues });
        queueMicrotask(() => saveErrorRef.current?.focus());
      })
      .finally(() => setSaving(false));
  };

  return (
    <section class="source" aria-labelledby="source-h">
      <h2 id="source-h">Source (YAML)</h2>
      <YamlEditor
        id="yaml"
        label="Template YAML"
        value={source}
        onInput={setSource}
        errors={errors}
        warnings={warnings}
        describedBy={describedBy}
        textareaRef={textarea}
      />
      <p class={`check-state ${errors.length ? 'bad' : 'good'}`}>
        <span id="yaml-status" role="status">
          {statusText}
        </span>{' '}
        <span class="muted" aria-hidden="true">
          {checking ? 'checking…' : report && !current ? 'changed since the check' : ''}
        </span>
      </p>
      <ErrorMessage error={validateError} />
      <IssueList id="yaml-errors" title="Errors" kind="error" issues={errors} onGo={go} />
      <IssueList id="yaml-warnings" title="Warnings" kind="warning" issues={warnings} onGo={go} />
      <div class="buttons">
        <button type="button" class="primary" aria-disabled={saving} onClick={save}>
          {template ? 'Save as a new version' : 'Create the template'}
        </button>
        <span class="muted">{props.version ? (dirty ? 'Unsaved changes.' : `The text of version ${props.version.version}.`) : ''}</span>
      </div>
      {saveError && (
        <p class="error form-error" role="alert" tabIndex={-1} ref={saveErrorRef}>
          Not saved: {saveError.message} <span class="code">({saveError.code})</span>
          {issuesOfSaveError(saveError) ? ' The errors are listed above, at their lines.' : ''}
        </p>
      )}
      {saved && (
        <p class="saved-note" role="status">
          {saved}
        </p>
      )}
    </section>
  );
}

/** One variant of a saved version by seed, with its parameters, answers and solution. */
function VersionPreview(props: { courseId: string; slug: string; version: number }) {
  const { courseId, slug, version } = props;
  const [seed, setSeed] = useState(1);
  const [seedText, setSeedText] = useState('1');
  const preview = useResource(
    () =>
      must(
        api.GET('/api/v1/courses/{courseId}/authoring/templates/{slug}/versions/{version}/preview', {
          params: { path: { courseId, slug, version: String(version) }, query: { seed: String(seed) } },
        }),
      ),
    [courseId, slug, version, seed],
  );
  const show = (s: number) => {
    setSeed(s);
    setSeedText(String(s));
  };
  const p = preview.data;
  return (
    <section class="preview-pane" aria-labelledby="preview-h" aria-busy={preview.loading}>
      <h2 id="preview-h">Preview of version {version}</h2>
      <p class="hint">The saved version; save to preview your changes.</p>
      <form
        class="inline-form"
        aria-label="Choose a seed"
        onSubmit={(e) => {
          e.preventDefault();
          show(Math.max(0, Math.floor(Number(seedText) || 0)));
        }}
      >
        <div class="field">
          <label for="pv-seed">Seed</label>
          <input id="pv-seed" type="number" min={0} value={seedText} onInput={(e) => setSeedText(e.currentTarget.value)} />
        </div>
        <button type="submit">Show this seed</button>
        <button type="button" onClick={() => show(Math.floor(Math.random() * 1_000_000) + 1)}>
          New seed
        </button>
      </form>
      <ErrorMessage error={preview.error} />
      {!p && !preview.error && <Loading what="the preview" />}
      {p && (
        <div class="preview">
          <h3>{p.title}</h3>
          <p class="muted">Seed {p.seed}</p>
          <QuestionBody idPrefix="tpv" prompt={p.prompt} parts={p.parts} answers={{}} disabled correctAnswers={p.answers} />
          <h3>Parameters</h3>
          <dl class="facts">
            {Object.entries(p.params).map(([k, val]) => (
              <>
                <dt class="mono">{k}</dt>
                <dd class="mono">{answerText(val)}</dd>
              </>
            ))}
          </dl>
          <h3>Solution</h3>
          <Markdown text={p.solution} />
        </div>
      )}
    </section>
  );
}

/** "total 812 ms" from whatever timings the report carries (numbers in milliseconds, by name). */
function timingRows(timings: unknown): [string, string][] {
  if (typeof timings !== 'object' || timings === null) return [];
  return Object.entries(timings as Record<string, unknown>)
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .map(([k, n]) => [
      k
        .replace(/Ms$/, '')
        .replace(/([a-z])([A-Z])/g, '$1 $2')
        .toLowerCase(),
      `${n < 10 ? n.toFixed(2) : Math.round(n)} ms`,
    ]);
}

/** A JSON line of a streamed self-test: its progress, then the report or the error. */
type SelfTestLine =
  { type: 'progress'; done: number; total: number } | ({ type: 'report' } & SelfTestReport) | { type: 'error'; code: string; message: string };

/**
 * Runs a version's self-test. It asks for JSON lines (servers that stream the self-test send
 * `{"type":"progress",done,total}` as batches finish, then the report) and takes plain JSON
 * too (a server that answers once, with the whole report): onProgress is called only when
 * the server streams. Not done in chunks: the server always tests seeds 1…N and keeps one
 * report per version, so chunks would store the last chunk's report only.
 */
async function runSelfTest(url: string, variants: number, onProgress: (done: number, total: number) => void): Promise<SelfTestReport> {
  let res: Response;
  try {
    res = await authorizedFetch(
      new Request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/x-ndjson, application/json;q=0.9' },
        body: JSON.stringify({ variants }),
      }),
    );
  } catch {
    throw offlineError();
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string; details?: unknown };
    throw new ApiError(res.status, body.code ?? `HTTP_${res.status}`, body.message ?? res.statusText, body.details);
  }
  if (!/application\/x-ndjson/.test(res.headers.get('content-type') ?? '') || !res.body) return (await res.json()) as SelfTestReport;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { done, value } = await reader.read();
    buffered += value ?? '';
    const lines = buffered.split('\n');
    buffered = done ? '' : (lines.pop() ?? '');
    for (const text of lines) {
      if (!text.trim()) continue;
      const line = JSON.parse(text) as SelfTestLine;
      if (line.type === 'progress') onProgress(line.done, line.total);
      else if (line.type === 'error') throw new ApiError(res.status, line.code, line.message);
      else {
        const { type: _type, ...report } = line;
        return report;
      }
    }
    if (done) throw new ApiError(0, 'CLIENT', 'The self-test ended without a report; run it again.');
  }
}

/**
 * The self-test of the version shown: while it runs a progress bar (determinate when the
 * server streams its progress, indeterminate when it answers once) and the time spent; the
 * section is aria-busy until the report is there.
 */
function SelfTest(props: { courseId: string; slug: string; version: VersionData; onDone: () => void }) {
  const { courseId, slug, version } = props;
  const [variants, setVariants] = useState('100');
  const [running, setRunning] = useState<number | null>(null);
  const [elapsed, setElapsed] = useState(0);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [fresh, setFresh] = useState<SelfTestReport | null>(null);
  useEffect(() => setFresh(null), [version.version]);
  useEffect(() => {
    if (running === null) return;
    const t = setInterval(() => setElapsed(Math.round((Date.now() - running) / 1000)), 1000);
    return () => clearInterval(t);
  }, [running]);
  const report = fresh ?? version.selfTest;
  const n = Number(variants);
  const fieldError = error?.fieldErrors().get('body.variants');
  const run = () => {
    if (running !== null) return;
    setError(null);
    setElapsed(0);
    setProgress(null);
    setRunning(Date.now());
    runSelfTest(`/api/v1/courses/${courseId}/authoring/templates/${slug}/versions/${version.version}/self-test`, n, (done, total) =>
      setProgress({ done, total }),
    )
      .then((r) => {
        setFresh(r);
        props.onDone();
      })
      .catch((e: unknown) => setError(asApiError(e)))
      .finally(() => setRunning(null));
  };
  return (
    <section aria-labelledby="selftest-h" class="selftest" aria-busy={running !== null}>
      <h2 id="selftest-h">Self-test of version {version.version}</h2>
      <p>
        Draws the variants for seeds 1 to N and checks each: the constraints hold, the answers are finite, the correct answer scores full marks, a slightly
        wrong one does not, and unreadable text is a format error. A version is published only after its self-test passed.
      </p>
      <form
        class="inline-form"
        aria-label="Run the self-test"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          run();
        }}
      >
        <div class="field">
          <label for="st-variants">Variants to test</label>
          <input
            id="st-variants"
            type="number"
            min={10}
            max={1000}
            value={variants}
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={fieldError ? 'st-variants-error' : undefined}
            onInput={(e) => setVariants(e.currentTarget.value)}
          />
          {fieldError && (
            <span class="field-error" id="st-variants-error">
              {fieldError}
            </span>
          )}
        </div>
        <button type="submit" class="primary" aria-disabled={running !== null}>
          Run the self-test
        </button>
      </form>
      {running !== null && (
        <div class="running">
          <label for="st-progress">
            Testing {n} variants of version {version.version}… {elapsed > 0 ? `${elapsed} s` : ''}
          </label>
          {progress ? (
            <>
              <progress id="st-progress" value={progress.done} max={progress.total} />
              <span class="hint">
                {progress.done} of {progress.total} checked
              </span>
            </>
          ) : (
            <>
              <progress id="st-progress" aria-describedby="st-progress-hint" />
              <span class="hint" id="st-progress-hint">
                The report comes once every variant is checked.
              </span>
            </>
          )}
        </div>
      )}
      <ErrorMessage error={fieldError ? null : error} />
      {report && running === null && <SelfTestReportView report={report} />}
      {!report && running === null && <p class="muted">Version {version.version} has not been self-tested.</p>}
    </section>
  );
}

function SelfTestReportView({ report }: { report: SelfTestReport }) {
  const share = report.variants ? Math.round((report.distinct / report.variants) * 100) : 0;
  const timings = timingRows(report.timings);
  return (
    <div class="report" role="status">
      <p class={report.passed ? 'verdict good' : 'verdict bad'}>
        <span aria-hidden="true">{report.passed ? '✓' : '✕'}</span> {report.passed ? 'Passed' : 'Failed'}: {report.failures.length} failure
        {report.failures.length === 1 ? '' : 's'} in {report.variants} variants
      </p>
      <dl class="facts">
        <dt>Variants tested</dt>
        <dd>{report.variants}</dd>
        <dt>Distinct variants</dt>
        <dd>
          {report.distinct} of {report.variants} ({share} %)
        </dd>
        <dt>Tested</dt>
        <dd>{formatDateTime(report.at)}</dd>
        {timings.map(([k, v]) => (
          <>
            <dt>Time: {k}</dt>
            <dd>{v}</dd>
          </>
        ))}
      </dl>
      {report.failures.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="group" aria-label="Table; scrolls sideways on narrow screens">
          <table class="data">
            <caption>Failures by seed (preview a seed above to see its variant)</caption>
            <thead>
              <tr>
                <th scope="col">Seed</th>
                <th scope="col">What failed</th>
              </tr>
            </thead>
            <tbody>
              {report.failures.slice(0, 100).map((f, i) => (
                <tr key={i}>
                  <td class="mono">{f.seed}</td>
                  <td>{f.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.failures.length > 100 && <p class="muted">The first 100 of {report.failures.length} failures.</p>}
        </div>
      )}
    </div>
  );
}

/** Publish the version shown, archive or restore the template: instructors only. */
function Publishing(props: { courseId: string; template: TemplateData; version: VersionData; instructor: boolean; known: boolean; onDone: () => void }) {
  const { courseId, template: t, version: v } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // A refusal is stale once the version or its self-test changed.
  useEffect(() => {
    setError(null);
    setDone(null);
  }, [v.version, v.selfTestPassed]);
  if (!props.known) return null;
  if (!props.instructor)
    return (
      <section aria-labelledby="publish-h">
        <h2 id="publish-h">Publishing</h2>
        <p class="muted">Only the course’s instructors publish, archive and restore templates.</p>
      </section>
    );
  const act = (what: string, call: () => Promise<unknown>) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    setDone(null);
    call()
      .then(() => {
        setDone(what);
        props.onDone();
      })
      .catch((e: unknown) => setError(asApiError(e)))
      .finally(() => setBusy(false));
  };
  const path = { courseId, slug: t.slug };
  const publish = () =>
    act(`Version ${v.version} is published: students get it from now on.`, () =>
      must(
        api.POST('/api/v1/courses/{courseId}/authoring/templates/{slug}/versions/{version}/publish', {
          params: { path: { ...path, version: String(v.version) } },
        }),
      ),
    );
  const archive = () =>
    act(t.archived ? 'The template is restored.' : 'The template is archived.', () =>
      t.archived
        ? must(api.POST('/api/v1/courses/{courseId}/authoring/templates/{slug}/restore', { params: { path } }))
        : must(api.POST('/api/v1/courses/{courseId}/authoring/templates/{slug}/archive', { params: { path } })),
    );
  return (
    <section aria-labelledby="publish-h">
      <h2 id="publish-h">Publishing</h2>
      <p id="publish-hint">
        {v.current
          ? `Version ${v.version} is the one students get.`
          : v.selfTestPassed
            ? `Version ${v.version} passed its self-test and can be published: students then get it in practice and in exams started from then on.`
            : `Version ${v.version} has ${v.selfTested ? 'not passed its' : 'no'} self-test yet; the server publishes a version only after one passed.`}
      </p>
      <div class="buttons">
        {!v.current && !t.archived && (
          <button type="button" class="primary" aria-disabled={busy} aria-describedby="publish-hint" onClick={publish}>
            Publish version {v.version}
          </button>
        )}
        <button type="button" class={t.archived ? 'plain' : 'danger'} aria-disabled={busy} onClick={archive}>
          {t.archived ? 'Restore the template' : 'Archive the template'}
        </button>
      </div>
      {error && (
        <div>
          <ErrorMessage error={error} />
          {error.code === 'SELF_TEST_REQUIRED' && (
            <p>Run the self-test above (it is stored with the version); once it passes, publish again. A failing seed can be looked at in the preview.</p>
          )}
        </div>
      )}
      {done && <p role="status">{done}</p>}
    </section>
  );
}
