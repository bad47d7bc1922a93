/** A course's home: its exams as a student sees them (open or not, attempts left, best score), practice, and staff links. */
import { api, must } from '../api/client';
import { ErrorMessage, Loading, PageTitle, formatDateTime, formatPoints, relative } from '../components/ui';
import { useResource } from '../lib/resource';
import { allPages } from '../lib/pages';
import type { PageProps } from '../routes';

type Exam = Awaited<ReturnType<typeof loadExams>>[number];

async function loadExams(courseId: string) {
  return allPages((page) =>
    must(api.GET('/api/v1/courses/{courseId}/exams', { params: { path: { courseId }, query: { page: String(page), pageSize: '100' } } })),
  );
}

export function useCourse(courseId: string) {
  return useResource(() => must(api.GET('/api/v1/courses/{courseId}', { params: { path: { courseId } } })), [courseId]);
}

/** A student's own window (GET my-attempts): the exam's, with their override applied. */
export interface MyWindow {
  opensAt?: string;
  closesAt?: string;
  timeLimitMinutes?: number;
  maxAttempts: number;
}

/**
 * Whether an exam takes attempts now, by its window: the student's own when known (an override
 * may close it later), else the published one. The server decides; this only words it.
 */
export function windowWords(exam: Exam, mine?: MyWindow, now = Date.now()): { open: boolean; text: string } {
  const p = mine ?? exam.blueprint.policies;
  if (exam.status === 'DRAFT') return { open: false, text: 'draft (students do not see it)' };
  if (exam.status === 'ARCHIVED') return { open: false, text: 'archived' };
  if (p.opensAt && new Date(p.opensAt).getTime() > now) return { open: false, text: `opens ${relative(p.opensAt, now)} (${formatDateTime(p.opensAt)})` };
  if (p.closesAt && new Date(p.closesAt).getTime() <= now) return { open: false, text: `closed ${formatDateTime(p.closesAt)}` };
  return { open: true, text: p.closesAt ? `open, closes ${relative(p.closesAt, now)} (${formatDateTime(p.closesAt)})` : 'open, no closing date' };
}

function MyExamRow({ exam }: { exam: Exam }) {
  const mine = useResource(
    () =>
      Promise.all([
        must(api.GET('/api/v1/exams/{examId}/my-score', { params: { path: { examId: exam.id } } })),
        must(api.GET('/api/v1/exams/{examId}/my-attempts', { params: { path: { examId: exam.id } } })),
      ]),
    [exam.id],
  );
  const p = exam.blueprint.policies;
  const [score, attempts] = mine.data ?? [];
  const w = windowWords(exam, attempts?.window);
  const limit = attempts ? attempts.window.timeLimitMinutes : p.timeLimitMinutes;
  return (
    <li class="card">
      <a class="card-title" href={`/exams/${exam.id}`}>
        {exam.title}
      </a>
      <span class={w.open ? 'badge open' : 'badge'}>{w.text}</span>
      <dl class="facts">
        <dt>Time limit</dt>
        <dd>{limit ? `${limit} min` : 'none'}</dd>
        <dt>Attempts left</dt>
        <dd>{attempts ? `${attempts.attemptsLeft} of ${attempts.window.maxAttempts}` : '…'}</dd>
        <dt>My {p.scorePolicy === 'best' ? 'best' : p.scorePolicy} score</dt>
        <dd>{score?.score ? `${formatPoints(score.score.points)} / ${formatPoints(score.score.maxPoints)} (${Math.round(score.score.percent)} %)` : '—'}</dd>
      </dl>
      <ErrorMessage error={mine.error} />
    </li>
  );
}

function StaffExamRow({ exam }: { exam: Exam }) {
  const w = windowWords(exam);
  return (
    <li class="card">
      <a class="card-title" href={`/exams/${exam.id}/manage`}>
        {exam.title}
      </a>
      <span class={w.open ? 'badge open' : 'badge'}>{w.text}</span>
      <span class="muted">
        {exam.blueprint.sections.length} section(s), {exam.blueprint.sections.reduce((n, s) => n + s.count, 0)} question(s)
      </span>
    </li>
  );
}

export function CoursePage({ params }: PageProps) {
  const courseId = params.courseId;
  const course = useCourse(courseId);
  const exams = useResource(() => loadExams(courseId), [courseId]);
  if (course.error) return <ErrorMessage error={course.error} />;
  if (!course.data) return <Loading what="the course" />;
  const staff = course.data.role !== 'STUDENT';
  const instructor = course.data.role === 'INSTRUCTOR';
  return (
    <>
      <PageTitle sub={course.data.code}>{course.data.title}</PageTitle>
      <nav aria-label="Course" class="subnav">
        <a href={`/courses/${courseId}/practice`}>Practice</a>
        {staff && <a href={`/courses/${courseId}/catalogue`}>Catalogue</a>}
        {staff && <a href={`/courses/${courseId}/authoring`}>Course templates</a>}
        {staff && <a href={`/courses/${courseId}/members`}>Members and invites</a>}
        {staff && <a href={`/courses/${courseId}/gradebook`}>Gradebook</a>}
        {instructor && <a href={`/courses/${courseId}/webhooks`}>Webhooks</a>}
        {instructor && <a href={`/courses/${courseId}/api-keys`}>API keys</a>}
        {instructor && <a href={`/courses/${courseId}/exams/new`}>New exam</a>}
      </nav>
      <section aria-labelledby="exams-h">
        <h2 id="exams-h">Exams</h2>
        <ErrorMessage error={exams.error} />
        {!exams.data && !exams.error && <Loading what="exams" />}
        {exams.data && exams.data.length === 0 && <p>No exams yet.</p>}
        {exams.data && <ul class="cards">{exams.data.map((e) => (staff ? <StaffExamRow key={e.id} exam={e} /> : <MyExamRow key={e.id} exam={e} />))}</ul>}
      </section>
    </>
  );
}
