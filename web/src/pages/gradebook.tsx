/** The course gradebook for staff: every student × every exam (each by its own score policy), in pages, and its CSV for the LMS. */
import { useEffect, useState } from 'preact/hooks';
import { api, must, type ApiError } from '../api/client';
import { ActionButton, ErrorMessage, Loading, PageTitle, formatPoints } from '../components/ui';
import { asApiError } from '../lib/resource';
import { downloadFile } from '../lib/download';
import type { PageProps } from '../routes';

type Gradebook = Awaited<ReturnType<typeof loadPage>>;
const PAGE = 100;

const loadPage = (courseId: string, cursor?: string) =>
  must(api.GET('/api/v1/courses/{courseId}/gradebook', { params: { path: { courseId }, query: { limit: String(PAGE), ...(cursor ? { cursor } : {}) } } }));

function downloadGradebook(courseId: string): Promise<void> {
  return downloadFile(`/api/v1/courses/${courseId}/gradebook`, 'text/csv', 'gradebook.csv');
}

export function GradebookPage({ params }: PageProps) {
  const courseId = params.courseId;
  const [book, setBook] = useState<Gradebook | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  useEffect(() => {
    setBook(null);
    loadPage(courseId).then(setBook, (e: unknown) => setError(asApiError(e)));
  }, [courseId]);
  if (error && !book) return <ErrorMessage error={error} />;
  if (!book) return <Loading what="the gradebook" />;
  const more = () => {
    if (!book.nextCursor || loadingMore) return;
    setLoadingMore(true);
    loadPage(courseId, book.nextCursor)
      .then(
        (next) => setBook({ ...next, items: [...book.items, ...next.items] }),
        (e: unknown) => setError(asApiError(e)),
      )
      .finally(() => setLoadingMore(false));
  };
  return (
    <>
      <PageTitle
        sub={`${book.items.length}${book.nextCursor ? '+' : ''} student${book.items.length === 1 && !book.nextCursor ? '' : 's'} × ${book.exams.length} exam${book.exams.length === 1 ? '' : 's'}`}
      >
        Gradebook
      </PageTitle>
      <nav aria-label="Course" class="subnav">
        <a href={`/courses/${courseId}`}>Back to the course</a>
      </nav>
      <p>
        Each exam is scored by its own policy over finished attempts; an empty cell means no finished attempt. The CSV has the columns Canvas imports (Student,
        SIS Login ID = email, one column per exam, a Points Possible row).
      </p>
      <div class="buttons">
        <ActionButton onClick={() => downloadGradebook(courseId)}>Download the gradebook (CSV)</ActionButton>
      </div>
      <ErrorMessage error={error} />
      {book.items.length === 0 ? (
        <p>No students in this course yet.</p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="group" aria-label="Gradebook table; scrolls sideways on narrow screens">
          <table class="data">
            <caption class="visually-hidden">Gradebook: students by exams</caption>
            <thead>
              <tr>
                <th scope="col">Student</th>
                {book.exams.map((e) => (
                  <th scope="col" key={e.id}>
                    <a href={`/exams/${e.id}/statistics`}>{e.title}</a>
                    <span class="muted">
                      {' '}
                      ({formatPoints(e.maxPoints)} points, {e.policy})
                    </span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {book.items.map((r) => (
                <tr key={r.userId}>
                  <th scope="row">
                    {r.name} <span class="muted">{r.email}</span>
                  </th>
                  {r.scores.map((c, i) => (
                    <td key={book.exams[i]?.id ?? i}>{c ? `${formatPoints(c.points)} (${c.percent} %)` : <span class="muted">–</span>}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {book.nextCursor && (
        <div class="buttons">
          <button type="button" aria-disabled={loadingMore} onClick={more}>
            {loadingMore ? 'Loading…' : `Show the next ${PAGE} students`}
          </button>
        </div>
      )}
    </>
  );
}
