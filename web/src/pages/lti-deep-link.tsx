/**
 * The deep-linking picker (an instructor adding a quizgrad exam in the platform): the course's
 * published exams; the pick is signed by the service and posted back to the platform by a page
 * of the service (/lti/deep-link-return/…, an auto-submitted form).
 */
import { useState } from 'preact/hooks';
import { api, must, type ApiError } from '../api/client';
import { ErrorMessage, Loading, PageTitle, formatPoints } from '../components/ui';
import { asApiError, useResource } from '../lib/resource';
import { formText } from '../lib/form';
import type { PageProps } from '../routes';

export function DeepLinkPage({ params }: PageProps) {
  const deepLinkId = params.deepLinkId;
  const dl = useResource(() => must(api.GET('/api/v1/lti/deep-links/{deepLinkId}', { params: { path: { deepLinkId } } })), [deepLinkId]);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <PageTitle>Add an exam to the course</PageTitle>
      <ErrorMessage error={dl.error} />
      {!dl.data && !dl.error && <Loading what="the course's exams" />}
      {dl.data?.answered && <p>This request was answered already. Start again from the platform to add another exam.</p>}
      {dl.data && !dl.data.answered && dl.data.exams.length === 0 && (
        <p>
          The course has no published exam yet. <a href={`/courses/${dl.data.courseId}`}>Open the course</a> to publish one, then start again from the platform.
        </p>
      )}
      {dl.data && !dl.data.answered && dl.data.exams.length > 0 && (
        <form
          aria-label="Pick an exam"
          onSubmit={(e) => {
            e.preventDefault();
            const examId = formText(new FormData(e.currentTarget), 'examId');
            if (busy) return;
            setBusy(true);
            setError(null);
            must(api.POST('/api/v1/lti/deep-links/{deepLinkId}/response', { params: { path: { deepLinkId } }, body: { examId } }))
              .then((r) => window.location.assign(r.url))
              .catch((err: unknown) => {
                setBusy(false);
                setError(asApiError(err));
              });
          }}
        >
          <fieldset>
            <legend>Published exams</legend>
            {dl.data.exams.map((x, i) => (
              <label key={x.id} class="check">
                <input type="radio" name="examId" value={x.id} required defaultChecked={i === 0} /> {x.title} ({formatPoints(x.maxPoints)} points)
              </label>
            ))}
          </fieldset>
          <button type="submit" class="primary" aria-disabled={busy}>
            Add to the course
          </button>
          <ErrorMessage error={error} />
        </form>
      )}
    </>
  );
}
