/**
 * An exam's statistics for its staff: the score distribution, difficulty against
 * discrimination of its templates, and per template its parts (common wrong answers, named
 * mistakes) and the mean score per parameter value. Every chart has its data as a table.
 */
import { api, must } from '../api/client';
import { BarChart, DataTable, ScatterChart } from '../components/charts';
import { ErrorMessage, Loading, PageTitle } from '../components/ui';
import { useResource } from '../lib/resource';
import type { PageProps } from '../routes';
import './statistics.css';

type ExamStats = Awaited<ReturnType<typeof loadStats>>;
type TemplateStats = ExamStats['templates'][number];

const loadStats = (examId: string) => must(api.GET('/api/v1/exams/{examId}/statistics', { params: { path: { examId } } }));
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${Math.round(x * 1000) / 10} %`);
const num = (x: number | null | undefined, d = 2) => (x === null || x === undefined ? '–' : x.toFixed(d));
const binLabel = (b: { from: number; to: number }) => `${Math.round(b.from * 100)}–${Math.round(b.to * 100)} %`;
const answerText = (a: unknown) => (typeof a === 'string' ? a : JSON.stringify(a));

export function ExamStatisticsPage({ params }: PageProps) {
  const examId = params.examId;
  const exam = useResource(() => must(api.GET('/api/v1/exams/{examId}', { params: { path: { examId } } })), [examId]);
  const stats = useResource(() => loadStats(examId), [examId]);
  if (exam.error || stats.error) return <ErrorMessage error={exam.error ?? stats.error} />;
  if (!exam.data || !stats.data) return <Loading what="the statistics" />;
  const s = stats.data;
  return (
    <>
      <PageTitle sub={`${s.attempts} finished attempt${s.attempts === 1 ? '' : 's'} by ${s.students} student${s.students === 1 ? '' : 's'}`}>
        {`Statistics: ${exam.data.title}`}
      </PageTitle>
      <nav aria-label="Exam" class="subnav">
        <a href={`/exams/${examId}/manage`}>Back to the exam</a>
        <a href={`/courses/${exam.data.courseId}/gradebook`}>Course gradebook</a>
      </nav>
      {s.attempts === 0 ? (
        <p>No finished attempts yet: the statistics start with the first one.</p>
      ) : (
        <>
          <section aria-labelledby="dist-h">
            <h2 id="dist-h">Scores</h2>
            <p>
              Mean {pct(s.mean)}, median {pct(s.median)}.
            </p>
            <BarChart
              id="exam-hist"
              title="Attempts by score"
              summary={`Attempts by score, in ten ranges: ${s.histogram.map((b) => `${binLabel(b)}: ${b.count}`).join('; ')}`}
              bars={s.histogram.map((b) => ({ label: binLabel(b), value: b.count }))}
              labelHeading="Score"
              valueHeading="Attempts"
            />
          </section>
          <section aria-labelledby="items-h">
            <h2 id="items-h">Templates</h2>
            {s.templates.some((t) => t.discrimination !== null) ? (
              <ScatterChart
                id="difficulty"
                title="Difficulty against discrimination"
                summary={`${s.templates.length} templates by mean score (difficulty, 0 hard to 1 easy) and discrimination (−1 to 1): ${s.templates
                  .map((t, i) => `${i + 1} ${t.templateId}: ${num(t.difficulty)}, ${num(t.discrimination)}`)
                  .join('; ')}`}
                points={s.templates.filter((t) => t.discrimination !== null).map((t) => ({ label: t.templateId, x: t.difficulty, y: t.discrimination ?? 0 }))}
                xLabel="difficulty (mean score)"
                yLabel="discrimination"
              />
            ) : (
              <p>Discrimination needs at least two finished attempts with different scores: not yet.</p>
            )}
            <p class="hint">
              Difficulty is the mean score (low is hard). Discrimination is the correlation of a question’s points with the rest of the attempt’s points: near 0
              or below, the question does not tell strong students from weak ones.
            </p>
          </section>
          {s.templates.map((t) => (
            <TemplateSection key={t.templateId} t={t} courseId={exam.data?.courseId} />
          ))}
        </>
      )}
    </>
  );
}

function TemplateSection({ t, courseId }: { t: TemplateStats; courseId?: string }) {
  const id = t.templateId.replace(/[^a-z0-9-]/gi, '-');
  const mistakes = t.parts.flatMap((p) => p.mistakes.map((m) => ({ label: `${p.id}: ${m.id}`, value: m.count })));
  return (
    <section aria-labelledby={`${id}-h`} class="template-stats">
      <h2 id={`${id}-h`}>
        {t.title ?? t.templateId} {t.title && <span class="muted">({t.templateId})</span>}
      </h2>
      {courseId && (
        <p>
          <a href={`/courses/${courseId}/statistics/${t.templateId.split('/').pop() ?? t.templateId}`}>{`${t.templateId} across every exam of the course`}</a>
        </p>
      )}
      <dl class="facts">
        <dt>Questions</dt>
        <dd>
          {t.items} ({t.answered} answered)
        </dd>
        <dt>Mean / median</dt>
        <dd>
          {pct(t.mean)} / {pct(t.median)}
        </dd>
        <dt>Discrimination</dt>
        <dd>{num(t.discrimination)}</dd>
        <dt>Time to answer</dt>
        <dd>{t.meanSecondsToAnswer === null ? '–' : `${Math.round(t.meanSecondsToAnswer)} s on average`}</dd>
        <dt>Unreadable answers</dt>
        <dd>
          {t.formatErrors} of {t.submissions + t.formatErrors} ({pct(t.formatErrorShare)})
        </dd>
      </dl>
      <h3>Parts</h3>
      {t.parts.length === 0 && <p>No graded tries yet.</p>}
      {t.parts.length > 0 && (
        <DataTable
          caption={`Parts of ${t.templateId}`}
          headings={['Part', 'Answered', 'Mean', 'Correct', 'Partly', 'Incorrect', 'Most common wrong answers']}
          rows={t.parts.map((p) => [
            p.id,
            String(p.answered),
            pct(p.mean),
            String(p.correct),
            String(p.partial),
            String(p.incorrect),
            p.wrongAnswers.length ? p.wrongAnswers.map((w) => `${answerText(w.answer)} (${w.count}×)`).join(', ') : '–',
          ])}
        />
      )}
      {mistakes.length > 0 && (
        <BarChart
          id={`${id}-mistakes`}
          title={`Named mistakes in ${t.templateId}`}
          summary={`Named mistakes: ${mistakes.map((m) => `${m.label} ${m.value} times`).join('; ')}`}
          bars={mistakes}
          labelHeading="Part: mistake"
          valueHeading="Answers"
        />
      )}
      {t.parameters.map((p) => (
        <BarChart
          key={p.name}
          id={`${id}-param-${p.name}`}
          title={`Mean score by ${p.name} (${t.templateId})`}
          summary={`Mean score by ${p.name}: ${p.groups.map((g) => `${groupLabel(g)}: ${pct(g.mean)} of ${g.n}`).join('; ')}`}
          bars={p.groups.map((g) => ({ label: `${p.name} = ${groupLabel(g)}`, value: g.mean, text: `${pct(g.mean)} (n = ${g.n})` }))}
          max={1}
          labelHeading="Value"
          valueHeading="Mean score (questions)"
        />
      ))}
    </section>
  );
}

function groupLabel(g: { value?: number; from: number; to: number }): string {
  return g.value !== undefined ? String(g.value) : `${Number(g.from.toPrecision(3))}…${Number(g.to.toPrecision(3))}`;
}

/** One template's statistics across every exam of the course. */
export function TemplateStatisticsPage({ params }: PageProps) {
  const { courseId, templateId } = params;
  const stats = useResource(
    () => must(api.GET('/api/v1/courses/{courseId}/statistics/templates/{templateId}', { params: { path: { courseId, templateId } } })),
    [courseId, templateId],
  );
  if (stats.error) return <ErrorMessage error={stats.error} />;
  if (!stats.data) return <Loading what="the statistics" />;
  return (
    <>
      <PageTitle
        sub={`${stats.data.title ? `${templateId} · ` : ''}across every exam of the course`}
      >{`Statistics: ${stats.data.title ?? templateId}`}</PageTitle>
      <nav aria-label="Course" class="subnav">
        <a href={`/courses/${courseId}`}>Back to the course</a>
        <a href={`/courses/${courseId}/gradebook`}>Course gradebook</a>
      </nav>
      {stats.data.items === 0 ? <p>No finished attempt has drawn this template yet.</p> : <TemplateSection t={stats.data} />}
    </>
  );
}
