/** Members and invites of a course (TAs read the roster and make student codes; instructors change roles). */
import { useState } from 'preact/hooks';
import { api, must, type ApiError } from '../api/client';
import { ActionButton, ErrorMessage, Loading, PageTitle, formatDateTime } from '../components/ui';
import { Field, SelectField } from '../components/field';
import { allPages } from '../lib/pages';
import { asApiError, useResource } from '../lib/resource';
import { useCourse } from './course';
import type { PageProps } from '../routes';
import { formText } from '../lib/form';

const ROLES = ['STUDENT', 'TA', 'INSTRUCTOR'] as const;
type Role = (typeof ROLES)[number];
const isRole = (v: string): v is Role => (ROLES as readonly string[]).includes(v);

export function MembersPage({ params }: PageProps) {
  const courseId = params.courseId;
  const course = useCourse(courseId);
  const members = useResource(
    () =>
      allPages((page) =>
        must(api.GET('/api/v1/courses/{courseId}/members', { params: { path: { courseId }, query: { page: String(page), pageSize: '100' } } })),
      ),
    [courseId],
  );
  const invites = useResource(
    () => must(api.GET('/api/v1/courses/{courseId}/invites', { params: { path: { courseId }, query: { pageSize: '100' } } })),
    [courseId],
  );
  const [addError, setAddError] = useState<ApiError | null>(null);
  const [inviteError, setInviteError] = useState<ApiError | null>(null);
  const instructor = course.data?.role === 'INSTRUCTOR';
  if (course.error) return <ErrorMessage error={course.error} />;
  return (
    <>
      <PageTitle sub={course.data?.title}>Members and invites</PageTitle>
      <p>
        <a href={`/courses/${courseId}`}>Back to the course</a>
      </p>
      <section aria-labelledby="roster-h">
        <h2 id="roster-h">Roster</h2>
        <ErrorMessage error={members.error} />
        {!members.data && !members.error && <Loading what="the roster" />}
        {members.data && (
          <div class="table-wrap" tabIndex={0} role="group" aria-label="Table; scrolls sideways on narrow screens">
            <table class="data">
              <caption class="visually-hidden">Course members</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                  {instructor && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {members.data.map((m) => (
                  <tr key={m.userId}>
                    <td>{m.name}</td>
                    <td>{m.email}</td>
                    <td>
                      {instructor ? (
                        <RoleSelect
                          label={`Role of ${m.name}`}
                          value={m.role}
                          onChange={(role) =>
                            must(
                              api.PATCH('/api/v1/courses/{courseId}/members/{userId}', { params: { path: { courseId, userId: m.userId } }, body: { role } }),
                            ).then(members.reload)
                          }
                        />
                      ) : (
                        m.role
                      )}
                    </td>
                    <td>{formatDateTime(m.joinedAt)}</td>
                    {instructor && (
                      <td>
                        <ActionButton
                          onClick={() =>
                            must(api.DELETE('/api/v1/courses/{courseId}/members/{userId}', { params: { path: { courseId, userId: m.userId } } })).then(
                              members.reload,
                            )
                          }
                        >
                          Remove<span class="visually-hidden"> {m.name}</span>
                        </ActionButton>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {instructor && (
          <form
            class="inline-form"
            aria-label="Add a member"
            onSubmit={(e) => {
              e.preventDefault();
              const f = new FormData(e.currentTarget);
              const role = formText(f, 'role');
              setAddError(null);
              must(
                api.POST('/api/v1/courses/{courseId}/members', {
                  params: { path: { courseId } },
                  body: { email: formText(f, 'email'), role: isRole(role) ? role : 'STUDENT' },
                }),
              )
                .then(members.reload)
                .catch((err: unknown) => setAddError(asApiError(err)));
            }}
          >
            <Field label="Email of a registered user" name="email" type="email" required error={addError?.fieldErrors().get('body.email')} />
            <SelectField label="Role" name="role" id="add-role" options={ROLES} />
            <button type="submit">Add member</button>
            <ErrorMessage error={addError} />
          </form>
        )}
      </section>
      <section aria-labelledby="invites-h">
        <h2 id="invites-h">Invite codes</h2>
        <form
          class="inline-form"
          aria-label="Create an invite code"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const role = formText(f, 'role');
            const maxUses = formText(f, 'maxUses');
            const days = formText(f, 'expiresInDays');
            setInviteError(null);
            must(
              api.POST('/api/v1/courses/{courseId}/invites', {
                params: { path: { courseId } },
                body: {
                  role: isRole(role) ? role : 'STUDENT',
                  ...(maxUses ? { maxUses: Number(maxUses) } : {}),
                  ...(days ? { expiresInDays: Number(days) } : {}),
                },
              }),
            )
              .then(invites.reload)
              .catch((err: unknown) => setInviteError(asApiError(err)));
          }}
        >
          <SelectField label="Role it gives" name="role" id="invite-role" options={instructor ? ROLES : ['STUDENT']} />
          <Field label="Uses (empty: unlimited)" name="maxUses" type="number" min={1} error={inviteError?.fieldErrors().get('body.maxUses')} />
          <Field
            label="Valid for days (empty: no expiry)"
            name="expiresInDays"
            type="number"
            min={1}
            error={inviteError?.fieldErrors().get('body.expiresInDays')}
          />
          <button type="submit">Create invite code</button>
          <ErrorMessage error={inviteError} />
        </form>
        <ErrorMessage error={invites.error} />
        {invites.data && (
          <div class="table-wrap" tabIndex={0} role="group" aria-label="Table; scrolls sideways on narrow screens">
            <table class="data">
              <caption class="visually-hidden">Invite codes</caption>
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col">Role</th>
                  <th scope="col">Uses</th>
                  <th scope="col">Expires</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {invites.data.items.map((i) => (
                  <tr key={i.code}>
                    <td class="mono">{i.code}</td>
                    <td>{i.role}</td>
                    <td>
                      {i.uses}
                      {i.maxUses !== null ? ` of ${i.maxUses}` : ''}
                    </td>
                    <td>{formatDateTime(i.expiresAt)}</td>
                    <td>
                      {i.revokedAt ? (
                        'revoked'
                      ) : instructor ? (
                        <ActionButton
                          onClick={() =>
                            must(api.DELETE('/api/v1/courses/{courseId}/invites/{code}', { params: { path: { courseId, code: i.code } } })).then(invites.reload)
                          }
                        >
                          Revoke<span class="visually-hidden"> {i.code}</span>
                        </ActionButton>
                      ) : (
                        'active'
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

function RoleSelect(props: { label: string; value: Role; onChange: (r: Role) => Promise<unknown> }) {
  const [error, setError] = useState<ApiError | null>(null);
  return (
    <>
      <select
        aria-label={props.label}
        value={props.value}
        onChange={(e) => {
          const v = e.currentTarget.value;
          setError(null);
          if (isRole(v)) props.onChange(v).catch((err: unknown) => setError(asApiError(err)));
        }}
      >
        {ROLES.map((r) => (
          <option key={r}>{r}</option>
        ))}
      </select>
      <ErrorMessage error={error} />
    </>
  );
}
