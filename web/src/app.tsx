/** The shell: skip link, header with navigation, and the page the location names. */
import type { ComponentChildren } from 'preact';
import { location, match, navigate } from './lib/router';
import { currentUser, sessionState, signOut } from './lib/session';
import { Loading } from './components/ui';
import { routes } from './routes';

export function App() {
  const url = location.value;
  const state = sessionState.value;
  const found = routes.find((r) => match(r.path, url.pathname));
  let page: ComponentChildren;
  if (state === 'unknown') page = <Loading />;
  else if (!found) page = <NotFound />;
  else if (!found.public && state !== 'signed-in') {
    // Queue the navigation after render; the page asked for stays the target after sign-in.
    queueMicrotask(() => navigate(`/signin?next=${encodeURIComponent(url.pathname + url.search)}`, { replace: true }));
    page = <Loading />;
  } else {
    const Page = found.page;
    page = <Page params={match(found.path, url.pathname) ?? {}} query={url.searchParams} />;
  }
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/">
          quizgrad
        </a>
        <nav aria-label="Main">
          {currentUser.value ? (
            <>
              <a href="/" aria-current={url.pathname === '/' ? 'page' : undefined}>
                My courses
              </a>
              {currentUser.value.isAdmin && (
                <a href="/admin/lti" aria-current={url.pathname === '/admin/lti' ? 'page' : undefined}>
                  LTI
                </a>
              )}
              <span class="who">{currentUser.value.name}</span>
              <button type="button" class="link" onClick={() => void signOut().then(() => navigate('/signin'))}>
                Sign out
              </button>
            </>
          ) : (
            <>
              <a href="/signin">Sign in</a>
              <a href="/register">Register</a>
            </>
          )}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        Nothing lives at this address. <a href="/">Go to my courses</a>.
      </p>
    </>
  );
}
