/**
 * A small history router: the current location as a signal, links intercepted so navigation
 * stays in the page, and route patterns like `/courses/:courseId`.
 */
import { signal } from '@preact/signals';

export const location = signal(new URL(window.location.href));

/** navigate(to): a new page at the top; `keepScroll` for a change of the same page's query (a saved version's number). */
export function navigate(to: string, opts: { replace?: boolean; keepScroll?: boolean } = {}): void {
  const url = new URL(to, window.location.origin);
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  location.value = url;
  if (!opts.keepScroll) window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => {
  location.value = new URL(window.location.href);
});

document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element | null)?.closest?.('a');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, window.location.href);
  if (url.origin !== window.location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/docs')) return;
  e.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});

/** match('/exams/:examId', '/exams/42') → { examId: '42' }, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}
