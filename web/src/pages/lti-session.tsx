/**
 * /lti/session?code=…&next=…: where an LTI launch lands (often inside the platform's iframe).
 * The one-time code becomes a framed session (its refresh token kept in memory, and by the
 * server in a partitioned cookie for a reload of the iframe), then the page the launch named opens: the exam, the course or the
 * deep-linking picker. The exam is read through the usual routes, under their rules.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, must, type ApiError } from '../api/client';
import { ErrorMessage, Loading, PageTitle } from '../components/ui';
import { asApiError } from '../lib/resource';
import { navigate } from '../lib/router';
import { startLtiSession } from '../lib/session';
import type { PageProps } from '../routes';

/** Only a path of this app: never another site (an open redirect), never a protocol-relative //host. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') ? next : '/';
}

export function LtiSessionPage({ query }: PageProps) {
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    const code = query.get('code') ?? '';
    const next = safeNext(query.get('next'));
    must(api.POST('/api/v1/auth/lti', { body: { code } }))
      .then((body) => {
        startLtiSession(body);
        navigate(next, { replace: true });
      })
      .catch((err: unknown) => setError(asApiError(err)));
  }, []);
  return (
    <>
      <PageTitle>Signing you in</PageTitle>
      {error ? (
        <>
          <ErrorMessage error={error} />
          <p>Open the activity again from your course in the learning platform.</p>
        </>
      ) : (
        <Loading what="your session" />
      )}
    </>
  );
}
