/** Sign in and register (with an optional invite code); both start a cookie session. */
import { useState } from 'preact/hooks';
import { api, must, type ApiError } from '../api/client';
import { ErrorMessage, PageTitle } from '../components/ui';
import { Field } from '../components/field';
import { navigate } from '../lib/router';
import { startSession } from '../lib/session';
import { asApiError } from '../lib/resource';
import type { PageProps } from '../routes';
import { formText } from '../lib/form';

function afterSignIn(query: URLSearchParams) {
  const next = query.get('next');
  // Only a path of this site: an open redirect would let a link send a student elsewhere signed in.
  navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
}

function fieldError(error: ApiError | null, name: string): string | undefined {
  return error?.fieldErrors().get(`body.${name}`);
}

export function SignInPage({ query }: PageProps) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section class="narrow">
      <PageTitle>Sign in</PageTitle>
      {query.get('next') && <p class="notice">Your session ended. Sign in again to go on; answers you typed in an exam are kept on this device.</p>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          setBusy(true);
          setError(null);
          must(api.POST('/api/v1/auth/login', { body: { email: formText(f, 'email'), password: formText(f, 'password'), session: 'cookie' } }))
            .then((s) => {
              startSession(s);
              afterSignIn(query);
            })
            .catch((err: unknown) => setError(asApiError(err)))
            .finally(() => setBusy(false));
        }}
      >
        <Field label="Email" name="email" type="email" autocomplete="username" required error={fieldError(error, 'email')} />
        <Field label="Password" name="password" type="password" autocomplete="current-password" required error={fieldError(error, 'password')} />
        <ErrorMessage error={error} />
        <button type="submit" class="primary" aria-disabled={busy}>
          Sign in
        </button>
      </form>
      <p>
        No account yet? <a href={`/register${query.toString() ? `?${query.toString()}` : ''}`}>Register</a>
      </p>
    </section>
  );
}

export function RegisterPage({ query }: PageProps) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section class="narrow">
      <PageTitle>Create an account</PageTitle>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const inviteCode = formText(f, 'inviteCode').trim();
          setBusy(true);
          setError(null);
          must(
            api.POST('/api/v1/auth/register', {
              body: {
                name: formText(f, 'name'),
                email: formText(f, 'email'),
                password: formText(f, 'password'),
                ...(inviteCode ? { inviteCode } : {}),
                session: 'cookie',
              },
            }),
          )
            .then((s) => {
              startSession(s);
              afterSignIn(query);
            })
            .catch((err: unknown) => setError(asApiError(err)))
            .finally(() => setBusy(false));
        }}
      >
        <Field label="Name" name="name" autocomplete="name" required error={fieldError(error, 'name')} />
        <Field label="Email" name="email" type="email" autocomplete="username" required error={fieldError(error, 'email')} />
        <Field
          label="Password"
          name="password"
          type="password"
          autocomplete="new-password"
          minLength={8}
          required
          hint="At least 8 characters."
          error={fieldError(error, 'password')}
        />
        <Field
          label="Invite code (optional)"
          name="inviteCode"
          defaultValue={query.get('invite') ?? ''}
          hint="From your instructor; joins you to the course."
          error={fieldError(error, 'inviteCode')}
        />
        <ErrorMessage error={error} />
        <button type="submit" class="primary" aria-disabled={busy}>
          Create account
        </button>
      </form>
      <p>
        Already registered? <a href="/signin">Sign in</a>
      </p>
    </section>
  );
}
