/** A course's API keys (instructors): create one (the key shown once), the list with last use, revoke. */
import { useState } from 'preact/hooks';
import { api, must, type ApiError } from '../api/client';
import { ActionButton, ErrorMessage, Loading, PageTitle, formatDateTime } from '../components/ui';
import { Field } from '../components/field';
import { asApiError, useResource } from '../lib/resource';
import { useCourse } from './course';
import type { PageProps } from '../routes';
import { formText } from '../lib/form';

const SCOPES = [
  { scope: 'roster:write', what: 'sync the roster' },
  { scope: 'grades:read', what: 'read grades and the gradebook' },
  { scope: 'exams:read', what: 'read exams and their overrides' },
  { scope: 'exams:write', what: 'set per-student overrides' },
] as const;
type Scope = (typeof SCOPES)[number]['scope'];
const isScope = (v: string): v is Scope => SCOPES.some((s) => s.scope === v);

/** The end of the chosen day in the browser's time zone, as an ISO instant (a key valid through that day). */
function endOfDay(date: string): string | undefined {
  if (!date) return undefined;
  const d = new Date(`${date}T23:59:59`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function ApiKeysPage({ params }: PageProps) {
  const courseId = params.courseId;
  const course = useCourse(courseId);
  const keys = useResource(() => must(api.GET('/api/v1/courses/{courseId}/api-keys', { params: { path: { courseId } } })), [courseId]);
  const [addError, setAddError] = useState<ApiError | null>(null);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  if (course.error) return <ErrorMessage error={course.error} />;
  return (
    <>
      <PageTitle sub={course.data?.title}>API keys</PageTitle>
      <p>
        <a href={`/courses/${courseId}`}>Back to the course</a>
      </p>
      <p>
        A key lets an LMS or a script call this course’s API as <code>Authorization: Bearer qgk_…</code>: only this course, and only what its scopes allow. It
        is shown once, when it is made; quizgrad keeps only a hash of it.
      </p>
      <section aria-labelledby="add-h">
        <h2 id="add-h">Create a key</h2>
        <form
          aria-label="Create an API key"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const scopes = f
              .getAll('scopes')
              .filter((v): v is string => typeof v === 'string')
              .filter(isScope);
            const expiresAt = endOfDay(formText(f, 'expires'));
            setAddError(null);
            setCreated(null);
            must(api.POST('/api/v1/courses/{courseId}/api-keys', { params: { path: { courseId } }, body: { name: formText(f, 'name'), scopes, expiresAt } }))
              .then((k) => {
                setCreated({ name: k.name, key: k.key });
                keys.reload();
              })
              .catch((err: unknown) => setAddError(asApiError(err)));
          }}
        >
          <Field label="Name" name="name" required hint="What uses it, e.g. Canvas roster sync" error={addError?.fieldErrors().get('body.name')} />
          <fieldset class="checks">
            <legend>Scopes</legend>
            {SCOPES.map((s) => (
              <label key={s.scope} class="check">
                <input type="checkbox" name="scopes" value={s.scope} /> <code>{s.scope}</code>: {s.what}
              </label>
            ))}
          </fieldset>
          <Field label="Expires after (optional)" name="expires" type="date" hint="Leave empty for a key that does not expire" />
          <button type="submit" class="primary">
            Create the key
          </button>
          <ErrorMessage error={addError} />
        </form>
        {created && (
          <div class="notice" role="status">
            <p>
              Created {created.name}. The key, shown only now: <code class="secret">{created.key}</code>
            </p>
          </div>
        )}
      </section>
      <section aria-labelledby="keys-h">
        <h2 id="keys-h">Keys</h2>
        <ErrorMessage error={keys.error} />
        {!keys.data && !keys.error && <Loading what="the keys" />}
        {keys.data && keys.data.items.length === 0 && <p>None yet.</p>}
        {keys.data && keys.data.items.length > 0 && (
          <div class="table-wrap" tabIndex={0} role="group" aria-label="API keys; scrolls sideways on narrow screens">
            <table class="data">
              <caption class="visually-hidden">API keys of the course</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {keys.data.items.map((k) => (
                  <tr key={k.id}>
                    <td>{k.name}</td>
                    <td class="mono">{k.prefix}…</td>
                    <td>{k.scopes.join(', ')}</td>
                    <td>{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'never'}</td>
                    <td>{k.expiresAt ? formatDateTime(k.expiresAt) : 'never'}</td>
                    <td>
                      {k.revokedAt ? (
                        `revoked ${formatDateTime(k.revokedAt)}`
                      ) : (
                        <ActionButton
                          kind="danger"
                          onClick={() =>
                            must(api.DELETE('/api/v1/courses/{courseId}/api-keys/{keyId}', { params: { path: { courseId, keyId: k.id } } })).then(keys.reload)
                          }
                        >
                          Revoke<span class="visually-hidden"> {k.name}</span>
                        </ActionButton>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
