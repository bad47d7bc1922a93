/** The exam builder: the whole blueprint (sections, pools, policies) as a form; the API's validation errors appear at their fields. */
import { useEffect, useState } from 'preact/hooks';
import { api, must, type ApiError } from '../api/client';
import { ErrorMessage, Loading, PageTitle } from '../components/ui';
import { Field, SelectField } from '../components/field';
import { allPages } from '../lib/pages';
import { asApiError, useResource } from '../lib/resource';
import { navigate } from '../lib/router';
import type { PageProps } from '../routes';

type PoolKind = 'templates' | 'topic' | 'tags' | 'difficulty';
interface SectionForm {
  title: string;
  count: string;
  points: string;
  kind: PoolKind;
  templates: string;
  topic: string;
  tags: string;
  difficulty: number[];
}
interface PolicyForm {
  opensAt: string;
  closesAt: string;
  timeLimitMinutes: string;
  maxAttempts: string;
  triesPerQuestion: string;
  triesSchedule: string;
  newVariantOnRetry: boolean;
  gradeDuringAttempt: boolean;
  release: 'immediately' | 'after-attempt' | 'after-close' | 'never';
  shuffle: boolean;
  scorePolicy: 'best' | 'latest' | 'average';
  practiceLock: 'off' | 'templates' | 'topics';
}

const newSection = (): SectionForm => ({ title: '', count: '1', points: '1', kind: 'topic', templates: '', topic: '', tags: '', difficulty: [] });
const defaultPolicies = (): PolicyForm => ({
  opensAt: '',
  closesAt: '',
  timeLimitMinutes: '',
  maxAttempts: '1',
  triesPerQuestion: '1',
  triesSchedule: '',
  newVariantOnRetry: false,
  gradeDuringAttempt: true,
  release: 'after-attempt',
  shuffle: false,
  scorePolicy: 'best',
  practiceLock: 'off',
});

const list = (s: string) =>
  s
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
/** A datetime-local value (local time, no offset) as an ISO instant, and back. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);
const toLocal = (iso?: string) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

function toBody(title: string, sections: SectionForm[], p: PolicyForm) {
  return {
    title,
    blueprint: {
      sections: sections.map((s) => ({
        ...(s.title.trim() ? { title: s.title.trim() } : {}),
        count: Number(s.count),
        points: Number(s.points),
        pool:
          s.kind === 'templates'
            ? { templates: list(s.templates) }
            : s.kind === 'topic'
              ? { topic: s.topic }
              : s.kind === 'tags'
                ? { tags: list(s.tags) }
                : { difficulty: s.difficulty },
      })),
      policies: {
        ...(toIso(p.opensAt) ? { opensAt: toIso(p.opensAt) } : {}),
        ...(toIso(p.closesAt) ? { closesAt: toIso(p.closesAt) } : {}),
        ...(num(p.timeLimitMinutes) !== undefined ? { timeLimitMinutes: num(p.timeLimitMinutes) } : {}),
        maxAttempts: Number(p.maxAttempts),
        triesPerQuestion: Number(p.triesPerQuestion),
        ...(p.triesSchedule.trim() ? { triesSchedule: list(p.triesSchedule).map(Number) } : {}),
        newVariantOnRetry: p.newVariantOnRetry,
        gradeDuringAttempt: p.gradeDuringAttempt,
        release: p.release,
        shuffle: p.shuffle,
        scorePolicy: p.scorePolicy,
        practiceLock: p.practiceLock,
      },
    },
  };
}

type ExamData = Awaited<ReturnType<typeof loadExam>>;
const loadExam = (examId: string) => must(api.GET('/api/v1/exams/{examId}', { params: { path: { examId } } }));

function fromExam(e: ExamData): { sections: SectionForm[]; policies: PolicyForm } {
  const p = e.blueprint.policies;
  return {
    sections: e.blueprint.sections.map((s) => {
      const pool = s.pool ?? {};
      const kind: PoolKind = pool.templates || pool.groups ? 'templates' : pool.topic ? 'topic' : pool.tags ? 'tags' : 'difficulty';
      return {
        title: s.title ?? '',
        count: String(s.count),
        points: String(s.points),
        kind,
        templates: (pool.templates ?? pool.groups?.flat() ?? []).join(', '),
        topic: pool.topic ?? '',
        tags: (pool.tags ?? []).join(', '),
        difficulty: pool.difficulty ?? [],
      };
    }),
    policies: {
      opensAt: toLocal(p.opensAt),
      closesAt: toLocal(p.closesAt),
      timeLimitMinutes: p.timeLimitMinutes ? String(p.timeLimitMinutes) : '',
      maxAttempts: String(p.maxAttempts),
      triesPerQuestion: String(p.triesPerQuestion),
      triesSchedule: (p.triesSchedule ?? []).join(', '),
      newVariantOnRetry: p.newVariantOnRetry,
      gradeDuringAttempt: p.gradeDuringAttempt,
      release: p.release,
      shuffle: p.shuffle,
      scorePolicy: p.scorePolicy,
      practiceLock: p.practiceLock,
    },
  };
}

export function ExamBuilderPage({ params }: PageProps) {
  const editing = params.examId;
  const [courseId, setCourseId] = useState(params.courseId ?? '');
  const [title, setTitle] = useState('');
  const [sections, setSections] = useState<SectionForm[]>([newSection()]);
  const [policies, setPolicies] = useState<PolicyForm>(defaultPolicies());
  const [error, setError] = useState<ApiError | null>(null);
  const [loaded, setLoaded] = useState(!editing);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!editing) return;
    loadExam(editing).then(
      (e) => {
        const f = fromExam(e);
        setCourseId(e.courseId);
        setTitle(e.title);
        setSections(f.sections);
        setPolicies(f.policies);
        setLoaded(true);
      },
      (e: unknown) => setError(asApiError(e)),
    );
  }, [editing]);
  const templates = useResource(
    () =>
      courseId
        ? allPages((page) =>
            must(api.GET('/api/v1/courses/{courseId}/templates', { params: { path: { courseId }, query: { page: String(page), pageSize: '100' } } })),
          )
        : Promise.resolve([]),
    [courseId],
  );
  const topics = [...new Set((templates.data ?? []).map((t) => t.topic))].sort();
  const errs = error?.fieldErrors() ?? new Map<string, string>();
  const at = (path: string) => errs.get(`body.${path}`);
  const setSection = (i: number, patch: Partial<SectionForm>) => setSections((all) => all.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const setPolicy = (patch: Partial<PolicyForm>) => setPolicies((p) => ({ ...p, ...patch }));
  if (!loaded) return error ? <ErrorMessage error={error} /> : <Loading what="the exam" />;
  return (
    <>
      <PageTitle>{editing ? `Edit exam: ${title}` : 'New exam'}</PageTitle>
      <form
        class="builder"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          const body = toBody(title, sections, policies);
          const call = editing
            ? must(api.PATCH('/api/v1/exams/{examId}', { params: { path: { examId: editing } }, body }))
            : must(api.POST('/api/v1/courses/{courseId}/exams', { params: { path: { courseId } }, body }));
          call
            .then((exam) => navigate(`/exams/${exam.id}/manage`))
            .catch((err: unknown) => {
              setError(asApiError(err));
              queueMicrotask(() => document.querySelector<HTMLElement>('[aria-invalid="true"], .form-error')?.focus());
            })
            .finally(() => setBusy(false));
        }}
      >
        <Field label="Title" name="title" value={title} onInput={(e) => setTitle(e.currentTarget.value)} required error={at('title')} />
        {sections.map((s, i) => {
          const base = `blueprint.sections.${i}`;
          return (
            <fieldset key={i} class="section-form">
              <legend>Section {i + 1}</legend>
              <Field
                label="Section title (optional)"
                id={`s${i}-title`}
                value={s.title}
                onInput={(e) => setSection(i, { title: e.currentTarget.value })}
                error={at(`${base}.title`)}
              />
              <div class="row">
                <Field
                  label="Questions drawn"
                  id={`s${i}-count`}
                  type="number"
                  min={1}
                  value={s.count}
                  onInput={(e) => setSection(i, { count: e.currentTarget.value })}
                  error={at(`${base}.count`)}
                />
                <Field
                  label="Points each"
                  id={`s${i}-points`}
                  type="number"
                  min={0}
                  step="any"
                  value={s.points}
                  onInput={(e) => setSection(i, { points: e.currentTarget.value })}
                  error={at(`${base}.points`)}
                />
              </div>
              <SelectField
                label="Draw from"
                id={`s${i}-kind`}
                value={s.kind}
                onChange={(e) => setSection(i, { kind: e.currentTarget.value as PoolKind })}
                options={[
                  ['topic', 'a topic'],
                  ['templates', 'listed templates'],
                  ['tags', 'templates with tags'],
                  ['difficulty', 'templates of a difficulty'],
                ]}
                error={at(`${base}.pool`)}
              />
              {s.kind === 'topic' && (
                <SelectField
                  label="Topic"
                  id={`s${i}-topic`}
                  value={s.topic}
                  onChange={(e) => setSection(i, { topic: e.currentTarget.value })}
                  options={[['', '— choose —'], ...topics.map((t): [string, string] => [t, t])]}
                  error={at(`${base}.pool.topic`)}
                />
              )}
              {s.kind === 'templates' && (
                <>
                  <Field
                    label="Template ids"
                    id={`s${i}-templates`}
                    hint="Separated by commas; see the catalogue for ids."
                    value={s.templates}
                    onInput={(e) => setSection(i, { templates: e.currentTarget.value })}
                    error={at(`${base}.pool.templates`) ?? at(`${base}.pool.templates.0`)}
                  />
                </>
              )}
              {s.kind === 'tags' && (
                <Field
                  label="Tags"
                  id={`s${i}-tags`}
                  hint="Separated by commas."
                  value={s.tags}
                  onInput={(e) => setSection(i, { tags: e.currentTarget.value })}
                  error={at(`${base}.pool.tags`)}
                />
              )}
              {s.kind === 'difficulty' && (
                <fieldset class="inline">
                  <legend>Difficulty</legend>
                  {[1, 2, 3, 4, 5].map((d) => (
                    <label key={d} class="check">
                      <input
                        type="checkbox"
                        checked={s.difficulty.includes(d)}
                        onChange={(e) =>
                          setSection(i, { difficulty: e.currentTarget.checked ? [...s.difficulty, d].sort() : s.difficulty.filter((x) => x !== d) })
                        }
                      />{' '}
                      {d}
                    </label>
                  ))}
                  {at(`${base}.pool.difficulty`) && <span class="field-error">{at(`${base}.pool.difficulty`)}</span>}
                </fieldset>
              )}
              {sections.length > 1 && (
                <button type="button" class="plain" onClick={() => setSections((all) => all.filter((_, j) => j !== i))}>
                  Remove section {i + 1}
                </button>
              )}
            </fieldset>
          );
        })}
        <p>
          <button type="button" onClick={() => setSections((all) => [...all, newSection()])}>
            Add a section
          </button>
        </p>
        <fieldset class="policies">
          <legend>Policies</legend>
          <div class="row">
            <Field
              label="Opens at"
              id="p-opensAt"
              type="datetime-local"
              value={policies.opensAt}
              onInput={(e) => setPolicy({ opensAt: e.currentTarget.value })}
              error={at('blueprint.policies.opensAt')}
            />
            <Field
              label="Closes at"
              id="p-closesAt"
              type="datetime-local"
              value={policies.closesAt}
              onInput={(e) => setPolicy({ closesAt: e.currentTarget.value })}
              error={at('blueprint.policies.closesAt')}
            />
          </div>
          <div class="row">
            <Field
              label="Time limit (minutes, empty: none)"
              id="p-timeLimitMinutes"
              type="number"
              min={1}
              value={policies.timeLimitMinutes}
              onInput={(e) => setPolicy({ timeLimitMinutes: e.currentTarget.value })}
              error={at('blueprint.policies.timeLimitMinutes')}
            />
            <Field
              label="Attempts allowed"
              id="p-maxAttempts"
              type="number"
              min={1}
              value={policies.maxAttempts}
              onInput={(e) => setPolicy({ maxAttempts: e.currentTarget.value })}
              error={at('blueprint.policies.maxAttempts')}
            />
          </div>
          <div class="row">
            <Field
              label="Tries per question"
              id="p-triesPerQuestion"
              type="number"
              min={1}
              value={policies.triesPerQuestion}
              onInput={(e) => setPolicy({ triesPerQuestion: e.currentTarget.value })}
              error={at('blueprint.policies.triesPerQuestion')}
            />
            <Field
              label="Tries schedule (credit per try)"
              id="p-triesSchedule"
              hint="E.g. 10, 7, 5: full, 70 %, 50 % credit; empty: full credit on every try."
              value={policies.triesSchedule}
              onInput={(e) => setPolicy({ triesSchedule: e.currentTarget.value })}
              error={at('blueprint.policies.triesSchedule') ?? at('blueprint.policies.triesSchedule.0')}
            />
          </div>
          <SelectField
            label="Correct answers and solutions shown"
            id="p-release"
            value={policies.release}
            onChange={(e) => setPolicy({ release: e.currentTarget.value as PolicyForm['release'] })}
            options={[
              ['immediately', 'immediately after each graded question'],
              ['after-attempt', 'after the attempt'],
              ['after-close', 'after the exam closes'],
              ['never', 'never'],
            ]}
            error={at('blueprint.policies.release')}
          />
          <SelectField
            label="Score that counts"
            id="p-scorePolicy"
            value={policies.scorePolicy}
            onChange={(e) => setPolicy({ scorePolicy: e.currentTarget.value as PolicyForm['scorePolicy'] })}
            options={[
              ['best', 'best attempt'],
              ['latest', 'latest attempt'],
              ['average', 'average of attempts'],
            ]}
          />
          <SelectField
            label="Practice while the exam is open"
            id="p-practiceLock"
            value={policies.practiceLock}
            onChange={(e) => setPolicy({ practiceLock: e.currentTarget.value as PolicyForm['practiceLock'] })}
            options={[
              ['off', 'allowed'],
              ['templates', "locked for the exam's templates"],
              ['topics', "locked for the exam's topics"],
            ]}
          />
          <label class="check">
            <input type="checkbox" checked={policies.gradeDuringAttempt} onChange={(e) => setPolicy({ gradeDuringAttempt: e.currentTarget.checked })} /> Grade
            each question when the student submits it
          </label>
          <label class="check">
            <input type="checkbox" checked={policies.newVariantOnRetry} onChange={(e) => setPolicy({ newVariantOnRetry: e.currentTarget.checked })} /> A wrong
            try comes back with a new variant
          </label>
          <label class="check">
            <input type="checkbox" checked={policies.shuffle} onChange={(e) => setPolicy({ shuffle: e.currentTarget.checked })} /> Shuffle question order
          </label>
        </fieldset>
        {error && (
          <p class="error form-error" role="alert" tabIndex={-1}>
            {errs.size > 0 ? `The exam was not saved: ${errs.size} field(s) need attention. ` : 'The exam was not saved: '}
            {error.message} <span class="code">({error.code})</span>
          </p>
        )}
        <div class="buttons">
          <button type="submit" class="primary" aria-disabled={busy}>
            {editing ? 'Save the draft' : 'Create the draft'}
          </button>
          <a href={editing ? `/exams/${editing}/manage` : `/courses/${courseId}`}>Cancel</a>
        </div>
      </form>
    </>
  );
}
