/**
 * A course template's versions (staff): each one's state and self-test, a link to view it in
 * the editor, and the diff between any two, rendered line by line: added lines marked "+",
 * removed ones "−", in colour as well, never by colour alone.
 */
import { useState } from 'preact/hooks';
import { api, must } from '../api/client';
import { ErrorMessage, Loading, PageTitle, formatDateTime } from '../components/ui';
import { SelectField } from '../components/field';
import { useResource } from '../lib/resource';
import { navigate } from '../lib/router';
import { editorHref, historyHref, loadTemplate, selfTestWords, stateWords, templatesHref, versionWords } from './authoring-common';
import type { PageProps } from '../routes';

interface DiffRow {
  kind: 'add' | 'del' | 'ctx' | 'hunk' | 'file';
  text: string;
  oldLine?: number;
  newLine?: number;
}

/** A unified diff's text as rows with the line numbers its hunk headers give. */
export function parseUnifiedDiff(diff: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let oldLine = 0;
  let newLine = 0;
  for (const line of diff.replace(/\n$/, '').split('\n')) {
    if (line.startsWith('--- ') || line.startsWith('+++ ')) rows.push({ kind: 'file', text: line });
    else if (line.startsWith('@@')) {
      const m = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
      oldLine = m ? Number(m[1]) : oldLine;
      newLine = m ? Number(m[2]) : newLine;
      rows.push({ kind: 'hunk', text: line });
    } else if (line.startsWith('+')) rows.push({ kind: 'add', text: line.slice(1), newLine: newLine++ });
    else if (line.startsWith('-')) rows.push({ kind: 'del', text: line.slice(1), oldLine: oldLine++ });
    else if (line.startsWith('\\')) rows.push({ kind: 'ctx', text: line });
    else rows.push({ kind: 'ctx', text: line.slice(1), oldLine: oldLine++, newLine: newLine++ });
  }
  return rows;
}

const SIGN = { add: '+', del: '−', ctx: ' ', hunk: '', file: '' } as const;

export function DiffView(props: { diff: string; from: number; to: number }) {
  const rows = parseUnifiedDiff(props.diff);
  const added = rows.filter((r) => r.kind === 'add').length;
  const removed = rows.filter((r) => r.kind === 'del').length;
  if (!added && !removed)
    return (
      <p>
        Versions {props.from} and {props.to} have the same text.
      </p>
    );
  return (
    <>
      <p>
        From version {props.from} to version {props.to}: {added} line{added === 1 ? '' : 's'} added (marked +), {removed} removed (marked −).
      </p>
      <div class="diff-wrap" tabIndex={0} role="region" aria-label={`Changes from version ${props.from} to version ${props.to}; scrolls sideways`}>
        <pre class="diff">
          {rows
            .filter((r) => r.kind !== 'file')
            .map((r, i) => (
              <span key={i} class={`dl ${r.kind}`}>
                <span class="ln" aria-hidden="true">
                  {r.oldLine ?? ''}
                </span>
                <span class="ln" aria-hidden="true">
                  {r.newLine ?? ''}
                </span>
                <span class="sign">{SIGN[r.kind]}</span>
                {r.text}
                {'\n'}
              </span>
            ))}
        </pre>
      </div>
    </>
  );
}

export function TemplateHistoryPage({ params, query }: PageProps) {
  const { courseId, slug } = params;
  const template = useResource(() => loadTemplate(courseId, slug), [courseId, slug]);
  const t = template.data;
  const latest = t?.latestVersion ?? 0;
  const from = Number(query.get('from')) || Math.max(1, latest - 1);
  const to = Number(query.get('to')) || latest;
  const [fromText, setFromText] = useState<string | undefined>(undefined);
  const [toText, setToText] = useState<string | undefined>(undefined);
  const diff = useResource(
    () =>
      t && t.versions.length > 1
        ? must(
            api.GET('/api/v1/courses/{courseId}/authoring/templates/{slug}/diff', {
              params: { path: { courseId, slug }, query: { from: String(from), to: String(to) } },
            }),
          )
        : Promise.resolve(undefined),
    [courseId, slug, from, to, Boolean(t)],
  );
  if (template.error) return <ErrorMessage error={template.error} />;
  if (!t) return <Loading what="the versions" />;
  const options = t.versions.map((v): [string, string] => [String(v.version), `version ${v.version}${v.current ? ' (published)' : ''}`]);
  return (
    <>
      <PageTitle sub={`${t.slug} · ${stateWords(t)}`}>{`Version history: ${t.title}`}</PageTitle>
      <nav aria-label="Template" class="subnav">
        <a href={editorHref(courseId, slug)}>Back to the editor</a>
        <a href={templatesHref(courseId)}>Course templates</a>
      </nav>
      <div class="table-wrap" tabIndex={0} role="group" aria-label="Table; scrolls sideways on narrow screens">
        <table class="data">
          <caption>Versions, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">State</th>
              <th scope="col">Self-test</th>
              <th scope="col">Saved</th>
              <th scope="col">
                <span class="visually-hidden">Open</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {t.versions.map((v) => (
              <tr key={v.version}>
                <td>{v.version}</td>
                <td>
                  <span class={v.current ? 'badge open' : 'badge'}>{versionWords(v)}</span>
                </td>
                <td>
                  <span aria-hidden="true">{!v.selfTested ? '–' : v.selfTestPassed ? '✓' : '✕'}</span> {selfTestWords(v)}
                </td>
                <td>{formatDateTime(v.createdAt)}</td>
                <td>
                  <a href={editorHref(courseId, slug, v.version)}>View version {v.version}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section aria-labelledby="diff-h">
        <h2 id="diff-h">Compare two versions</h2>
        {t.versions.length < 2 ? (
          <p>There is one version so far; save another to compare them.</p>
        ) : (
          <>
            <form
              class="inline-form"
              aria-label="Versions to compare"
              onSubmit={(e) => {
                e.preventDefault();
                navigate(`${historyHref(courseId, slug)}?from=${fromText ?? from}&to=${toText ?? to}`, { replace: true, keepScroll: true });
              }}
            >
              <SelectField
                label="From"
                id="diff-from"
                value={fromText ?? String(from)}
                onChange={(e) => setFromText(e.currentTarget.value)}
                options={options}
              />
              <SelectField label="To" id="diff-to" value={toText ?? String(to)} onChange={(e) => setToText(e.currentTarget.value)} options={options} />
              <button type="submit">Show the changes</button>
            </form>
            <ErrorMessage error={diff.error} />
            {!diff.data && !diff.error && <Loading what="the changes" />}
            {diff.data && (
              <div aria-busy={diff.loading}>
                <DiffView diff={diff.data.diff} from={diff.data.from} to={diff.data.to} />
              </div>
            )}
          </>
        )}
      </section>
    </>
  );
}
