/** My courses; join one with an invite code; create one (instructors and administrators). */
import { useState } from 'preact/hooks';
import { api, must, type ApiError } from '../api/client';
import { ErrorMessage, Loading, PageTitle } from '../components/ui';
import { Field } from '../components/field';
import { asApiError, useResource } from '../lib/resource';
import { currentUser } from '../lib/session';
import { navigate } from '../lib/router';
import { formText } from '../lib/form';

const ROLE_WORDS = { STUDENT: 'student', TA: 'teaching assistant', INSTRUCTOR: 'instructor' } as const;

export function CoursesPage() {
  const courses = useResource(() => must(api.GET('/api/v1/courses', { params: { query: { pageSize: '100' } } })), []);
  const [joinError, setJoinError] = useState<ApiError | null>(null);
  const [createError, setCreateError] = useState<ApiError | null>(null);
  const canCreate = currentUser.value?.isAdmin || courses.data?.items.some((c) => c.role === 'INSTRUCTOR');
  return (
    <>
      <PageTitle>My courses</PageTitle>
      {courses.loading && !courses.data && <Loading what="your courses" />}
      <ErrorMessage error={courses.error} />
      {courses.data &&
        (courses.data.items.length === 0 ? (
          <p>You are not in a course yet. Join one with the invite code your instructor gave you.</p>
        ) : (
          <ul class="cards">
            {courses.data.items.map((c) => (
              <li key={c.id} class="card">
                <a href={`/courses/${c.id}`} class="card-title">
                  {c.title}
                </a>
                <span class="muted">
                  {c.code} · you are a {ROLE_WORDS[c.role]}
                </span>
              </li>
            ))}
          </ul>
        ))}
      <section aria-labelledby="join-h">
        <h2 id="join-h">Join a course</h2>
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const code = formText(new FormData(e.currentTarget), 'inviteCode').trim();
            setJoinError(null);
            must(api.POST('/api/v1/courses/join', { body: { inviteCode: code } }))
              .then((r) => navigate(`/courses/${r.course.id}`))
              .catch((err: unknown) => setJoinError(asApiError(err)));
          }}
        >
          <Field label="Invite code" name="inviteCode" required error={joinError?.fieldErrors().get('body.inviteCode')} />
          <button type="submit">Join</button>
        </form>
        <ErrorMessage error={joinError} />
      </section>
      {canCreate && (
        <section aria-labelledby="create-h">
          <h2 id="create-h">Create a course</h2>
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              const f = new FormData(e.currentTarget);
              const code = formText(f, 'code').trim();
              setCreateError(null);
              must(api.POST('/api/v1/courses', { body: { title: formText(f, 'title'), ...(code ? { code } : {}) } }))
                .then((c) => navigate(`/courses/${c.id}`))
                .catch((err: unknown) => setCreateError(asApiError(err)));
            }}
          >
            <Field label="Title" name="title" required error={createError?.fieldErrors().get('body.title')} />
            <Field label="Code (optional)" name="code" error={createError?.fieldErrors().get('body.code')} />
            <button type="submit">Create</button>
          </form>
          <ErrorMessage error={createError} />
        </section>
      )}
    </>
  );
}
