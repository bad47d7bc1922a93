/** Small shared pieces: page headings, errors in the API's words, loading, buttons that wait. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { asApiError } from '../lib/resource';

/** The page's h1; sets the document title and takes focus after a navigation, so a screen reader announces the new page. */
export function PageTitle(props: { children: string; sub?: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.children} · quizgrad`;
    if (document.activeElement === document.body || document.activeElement?.closest('nav, a')) ref.current?.focus();
  }, [props.children]);
  return (
    <header class="page-head">
      <h1 tabIndex={-1} ref={ref}>
        {props.children}
      </h1>
      {props.sub && <p class="sub">{props.sub}</p>}
    </header>
  );
}

/** An error where it happened, in the API's words (code for support, message for people). */
export function ErrorMessage(props: { error: ApiError | undefined | null; id?: string }) {
  if (!props.error) return null;
  return (
    <p class="error" role="alert" id={props.id}>
      {props.error.message}
      {props.error.code && props.error.status > 0 && <span class="code"> ({props.error.code})</span>}
    </p>
  );
}

export function Loading(props: { what?: string }) {
  return (
    <p class="loading" role="status">
      Loading{props.what ? ` ${props.what}` : ''}…
    </p>
  );
}

/** A button running an async action: disabled while it runs, its error shown beside it. */
export function ActionButton(props: {
  onClick: () => Promise<unknown>;
  children: ComponentChildren;
  kind?: 'primary' | 'danger' | 'plain';
  describedBy?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  return (
    <span class="action">
      <button
        type="button"
        class={props.kind ?? 'plain'}
        aria-disabled={busy}
        aria-describedby={props.describedBy}
        onClick={() => {
          if (busy) return;
          setBusy(true);
          setError(null);
          props
            .onClick()
            .catch((e: unknown) => setError(asApiError(e)))
            .finally(() => setBusy(false));
        }}
      >
        {props.children}
      </button>
      <ErrorMessage error={error} />
    </span>
  );
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatPoints(n: number | undefined | null): string {
  if (n === undefined || n === null) return '—';
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0$/, '');
}

/** "in 3 days", "in 2 h 5 min", "5 min ago". */
export function relative(iso: string, now = Date.now()): string {
  const ms = new Date(iso).getTime() - now;
  const abs = Math.abs(ms);
  const min = Math.round(abs / 60_000);
  const text = min < 60 ? `${min} min` : min < 48 * 60 ? `${Math.floor(min / 60)} h ${min % 60} min` : `${Math.round(min / 1440)} days`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}
