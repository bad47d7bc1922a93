/**
 * An exam for its staff: state and publish/archive/copy, per-student overrides, the attempts,
 * the scores (and their CSV for the LMS gradebook), and a regrade shown as a dry run first.
 */
import { useState } from 'preact/hooks';
import { ApiError, api, must } from '../api/client';
import { ActionButton, ErrorMessage, Loading, PageTitle, formatDateTime, formatPoints } from '../components/ui';
import { Field, SelectField } from '../components/field';
import { allPages } from '../lib/pages';
import { asApiError, useResource } from '../lib/resource';
import { navigate } from '../lib/router';
import { downloadFile } from '../lib/download';
import { windowWords } from './course';
import type { PageProps } from '../routes';
import { formText } from '../lib/form';

export function ExamManagePage({ params }: PageProps) {
  const examId = params.examId;
  const exam = useResource(() => must(api.GET('/api/v1/exams/{examId}', { params: { path: { examId } } })), [examId]);
  if (exam.error) return <ErrorMessage error={exam.error} />;
  if (!exam.data) return <Loading what="the exam" />;
  const e = exam.data;
  return (
    <>
      <PageTitle sub={`${e.status.toLowerCase()} · ${windowWords(e).text}`}>{e.title}</PageTitle>
      <p>
        <a href={`/courses/${e.courseId}`}>Back to the course</a>
        {e.status !== 'DRAFT' && (
          <>
            {' · '}
            <a href={`/exams/${examId}/statistics`}>Statistics</a>
          </>
        )}
      </p>
      <div class="buttons" role="group" aria-label="Exam actions">
        {e.status === 'DRAFT' && (
          <>
            <a class="button" href={`/exams/${examId}/edit`}>
              Edit the draft
            </a>
            <ActionButton kind="primary" onClick={() => must(api.POST('/api/v1/exams/{examId}/publish', { params: { path: { examId } } })).then(exam.set)}>
              Publish
            </ActionButton>
          </>
        )}
        {e.status === 'PUBLISHED' && (
          <ActionButton kind="danger" onClick={() => must(api.POST('/api/v1/exams/{examId}/archive', { params: { path: { examId } } })).then(exam.set)}>
            Archive (no new attempts)
          </ActionButton>
        )}
        <ActionButton
          onClick={() => must(api.POST('/api/v1/exams/{examId}/copy', { params: { path: { examId } } })).then((c) => navigate(`/exams/${c.id}/manage`))}
        >
          Copy into a new draft
        </ActionButton>
      </div>
      <Blueprint exam={e} />
      {e.status !== 'DRAFT' && (
        <>
          <Attempts examId={examId} />
          <Scores examId={examId} title={e.title} />
          <Regrade examId={examId} />
        </>
      )}
      <Overrides examId={examId} courseId={e.courseId} />
    </>
  );
}

function Blueprint({ exam }: { exam: { blueprint: { sections: { title?: string; count: number; points: number; pool?: Record<string, unknown> }[] } } }) {
  return (
    <section aria-labelledby="bp-h">
      <h2 id="bp-h">Sections</h2>
      <ol>
        {exam.blueprint.sections.map((s, i) => (
          <li key={i}>
            {s.title ?? `Section ${i + 1}`}: {s.count} × {s.points} points from {describePool(s.pool)}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Attempts({ examId }: { examId: string }) {
  const attempts = useResource(
    () =>
      allPages((page) => must(api.GET('/api/v1/exams/{examId}/attempts', { params: { path: { examId }, query: { page: String(page), pageSize: '100' } } }))),
    [examId],
  );
  return (
    <section aria-labelledby="att-h">
      <h2 id="att-h">Attempts</h2>
      <ErrorMessage error={attempts.error} />
      {attempts.data && attempts.data.length === 0 && <p>No attempts yet.</p>}
      {attempts.data && attempts.data.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="group" aria-label="Table; scrolls sideways on narrow screens">
          <table class="data">
            <caption class="visually-hidden">Attempts</caption>
            <thead>
              <tr>
                <th scope="col">Student</th>
                <th scope="col">Attempt</th>
                <th scope="col">Started</th>
                <th scope="col">State</th>
                <th scope="col">Points</th>
              </tr>
            </thead>
            <tbody>
              {attempts.data.map((a) => (
                <tr key={a.id}>
                  <td>
                    {a.name} <span class="muted">{a.email}</span>
                  </td>
                  <td>
                    <a href={`/exams/${examId}/attempts/${a.id}`}>
                      Attempt {a.number}
                      <span class="visually-hidden"> of {a.name}</span>
                    </a>
                  </td>
                  <td>{formatDateTime(a.startedAt)}</td>
                  <td>{a.status === 'OPEN' ? 'in progress' : `finished${a.finishedBy ? ` (${a.finishedBy})` : ''}`}</td>
                  <td>
                    {formatPoints(a.points)} / {formatPoints(a.maxPoints)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function downloadCsv(examId: string, title: string): Promise<void> {
  return downloadFile(`/api/v1/exams/${examId}/scores.csv`, 'text/csv', `${title.replace(/[^\w.-]+/g, '_')}-scores.csv`);
}

function Scores({ examId, title }: { examId: string; title: string }) {
  const scores = useResource(() => must(api.GET('/api/v1/exams/{examId}/scores', { params: { path: { examId } } })), [examId]);
  return (
    <section aria-labelledby="scores-h">
      <h2 id="scores-h">Scores</h2>
      <ActionButton onClick={() => downloadCsv(examId, title)}>Download scores CSV (Canvas)</ActionButton>
      <ErrorMessage error={scores.error} />
      {scores.data && (
        <div class="table-wrap" tabIndex={0} role="group" aria-label="Table; scrolls sideways on narrow screens">
          <table class="data">
            <caption>Scores by the {scores.data.policy} attempt</caption>
            <thead>
              <tr>
                <th scope="col">Student</th>
                <th scope="col">Attempts</th>
                <th scope="col">Points</th>
                <th scope="col">Percent</th>
              </tr>
            </thead>
            <tbody>
              {scores.data.items.map((s) => (
                <tr key={s.userId}>
                  <td>
                    {s.name} <span class="muted">{s.email}</span>
                  </td>
                  <td>
                    {s.attemptsFinished} finished of {s.attemptsUsed}
                  </td>
                  <td>
                    {formatPoints(s.points)} / {formatPoints(s.maxPoints)}
                  </td>
                  <td>{Math.round(s.percent)} %</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

type RegradeBody = {
  templateId?: string;
  tolerance?: { mode: 'relative'; rtol: number; atol: number } | { mode: 'absolute'; atol: number };
  points?: number;
  useCurrentVersion?: boolean;
};

function Regrade({ examId }: { examId: string }) {
  const [body, setBody] = useState<RegradeBody | null>(null);
  const [result, setResult] = useState<Awaited<ReturnType<typeof run>> | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const run = (b: RegradeBody, dryRun: boolean) => must(api.POST('/api/v1/exams/{examId}/regrade', { params: { path: { examId } }, body: { ...b, dryRun } }));
  return (
    <section aria-labelledby="regrade-h">
      <h2 id="regrade-h">Regrade</h2>
      <form
        class="inline-form"
        aria-label="Regrade settings"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const templateId = formText(f, 'templateId').trim();
          const mode = formText(f, 'mode');
          const value = formText(f, 'value').trim();
          const points = formText(f, 'points').trim();
          const b: RegradeBody = {
            ...(templateId ? { templateId } : {}),
            ...(value && mode === 'relative' ? { tolerance: { mode: 'relative', rtol: Number(value) / 100, atol: 1e-9 } } : {}),
            ...(value && mode === 'absolute' ? { tolerance: { mode: 'absolute', atol: Number(value) } } : {}),
            ...(points ? { points: Number(points) } : {}),
            useCurrentVersion: f.get('useCurrentVersion') === 'on',
          };
          setError(null);
          setResult(null);
          run(b, true)
            .then((r) => {
              setBody(b);
              setResult(r);
            })
            .catch((err: unknown) => setError(asApiError(err)));
        }}
      >
        <Field label="Template id (empty: every template)" name="templateId" id="rg-template" error={error?.fieldErrors().get('body.templateId')} />
        <SelectField
          label="New tolerance"
          name="mode"
          id="rg-mode"
          options={[
            ['relative', 'relative (%)'],
            ['absolute', 'absolute'],
          ]}
        />
        <Field label="Tolerance value (empty: unchanged)" name="value" id="rg-value" type="number" step="any" min={0} />
        <Field
          label="Points per question (empty: unchanged)"
          name="points"
          id="rg-points"
          type="number"
          step="any"
          min={0}
          error={error?.fieldErrors().get('body.points')}
        />
        <label class="check">
          <input type="checkbox" name="useCurrentVersion" /> Use the template's current version
        </label>
        <button type="submit">Dry run</button>
      </form>
      <ErrorMessage error={error} />
      {result && (
        <div aria-live="polite">
          <p>
            {result.dryRun ? 'Dry run: nothing changed yet. ' : 'Applied. '}
            {result.summary.changed} of {result.summary.attempts} attempts change; total {result.summary.totalDelta >= 0 ? '+' : ''}
            {formatPoints(result.summary.totalDelta)} points; {result.summary.submissionsChanged} of {result.summary.submissions} submissions regraded.
          </p>
          {result.changes.length > 0 && (
            <div class="table-wrap" tabIndex={0} role="group" aria-label="Table; scrolls sideways on narrow screens">
              <table class="data">
                <caption>{result.dryRun ? 'What the regrade would change' : 'What the regrade changed'}</caption>
                <thead>
                  <tr>
                    <th scope="col">Attempt</th>
                    <th scope="col">Before</th>
                    <th scope="col">After</th>
                    <th scope="col">Change</th>
                  </tr>
                </thead>
                <tbody>
                  {result.changes.map((c) => (
                    <tr key={c.attemptId}>
                      <td>
                        <a href={`/exams/${examId}/attempts/${c.attemptId}`}>Attempt {c.number}</a>
                      </td>
                      <td>
                        {formatPoints(c.before)} / {formatPoints(c.maxPointsBefore)}
                      </td>
                      <td>
                        {formatPoints(c.after)} / {formatPoints(c.maxPointsAfter)}
                      </td>
                      <td>
                        {c.delta >= 0 ? '+' : ''}
                        {formatPoints(c.delta)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {result.dryRun && body && (
            <ActionButton kind="primary" onClick={() => run(body, false).then(setResult)}>
              Apply this regrade
            </ActionButton>
          )}
        </div>
      )}
    </section>
  );
}

function Overrides({ examId, courseId }: { examId: string; courseId: string }) {
  const overrides = useResource(
    () => must(api.GET('/api/v1/exams/{examId}/overrides', { params: { path: { examId }, query: { pageSize: '100' } } })),
    [examId],
  );
  const students = useResource(
    () =>
      allPages((page) =>
        must(
          api.GET('/api/v1/courses/{courseId}/members', { params: { path: { courseId }, query: { page: String(page), pageSize: '100', role: 'STUDENT' } } }),
        ),
      ),
    [courseId],
  );
  const [error, setError] = useState<ApiError | null>(null);
  const nameOf = (id: string) => students.data?.find((s) => s.userId === id)?.name ?? id;
  return (
    <section aria-labelledby="ov-h">
      <h2 id="ov-h">Per-student overrides</h2>
      <ErrorMessage error={overrides.error ?? students.error} />
      {overrides.data && overrides.data.items.length > 0 && (
        <ul>
          {overrides.data.items.map((o) => (
            <li key={o.userId}>
              {nameOf(o.userId)}: +{o.extraMinutes} min, +{o.extraAttempts} attempts{o.closesAt ? `, closes ${formatDateTime(o.closesAt)}` : ''}{' '}
              <ActionButton
                onClick={() =>
                  must(api.DELETE('/api/v1/exams/{examId}/overrides/{userId}', { params: { path: { examId, userId: o.userId } } })).then(overrides.reload)
                }
              >
                Remove<span class="visually-hidden"> override of {nameOf(o.userId)}</span>
              </ActionButton>
            </li>
          ))}
        </ul>
      )}
      {students.data && (
        <form
          class="inline-form"
          aria-label="Set an override"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const closes = formText(f, 'closesAt');
            setError(null);
            must(
              api.PUT('/api/v1/exams/{examId}/overrides/{userId}', {
                params: { path: { examId, userId: formText(f, 'userId') } },
                body: {
                  extraMinutes: Number(formText(f, 'extraMinutes') || 0),
                  extraAttempts: Number(formText(f, 'extraAttempts') || 0),
                  closesAt: closes ? new Date(closes).toISOString() : null,
                },
              }),
            )
              .then(overrides.reload)
              .catch((err: unknown) => setError(asApiError(err)));
          }}
        >
          <SelectField label="Student" name="userId" id="ov-user" options={students.data.map((s): [string, string] => [s.userId, `${s.name} (${s.email})`])} />
          <Field
            label="Extra minutes"
            name="extraMinutes"
            id="ov-min"
            type="number"
            min={0}
            defaultValue="0"
            error={error?.fieldErrors().get('body.extraMinutes')}
          />
          <Field
            label="Extra attempts"
            name="extraAttempts"
            id="ov-att"
            type="number"
            min={0}
            defaultValue="0"
            error={error?.fieldErrors().get('body.extraAttempts')}
          />
          <Field label="Closes later at (optional)" name="closesAt" id="ov-close" type="datetime-local" error={error?.fieldErrors().get('body.closesAt')} />
          <button type="submit">Set override</button>
          <ErrorMessage error={error} />
        </form>
      )}
    </section>
  );
}

type Pool = { templates?: string[]; topic?: string; tags?: string[]; difficulty?: number[]; groups?: string[][] };

/** A pool in words: "conv-output-size", "topic cnn, tags conv, difficulty 2–3", "2 groups (7 templates)". */
export function describePool(pool: Pool | undefined): string {
  if (!pool) return 'a pool';
  if (pool.templates) return pool.templates.join(', ');
  if (pool.groups) return `${pool.groups.length} groups (${pool.groups.flat().length} templates)`;
  const parts: string[] = [];
  if (pool.topic) parts.push(`topic ${pool.topic}`);
  if (pool.tags) parts.push(`tags ${pool.tags.join(', ')}`);
  if (pool.difficulty) parts.push(`difficulty ${pool.difficulty.join(', ')}`);
  return parts.join('; ');
}
