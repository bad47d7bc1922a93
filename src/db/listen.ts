/**
 * Notifications between instances: LISTEN on a channel, with the payloads handed to a callback.
 * On PostgreSQL a dedicated connection (not one of the pool's) listens and reconnects after a
 * failure, calling onGap once it is back, since notifications sent meanwhile are lost; PGlite
 * delivers its own notifications in process.
 */
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface ListenHandlers {
  onMessage(payload: string): void;
  /** The listener was disconnected and is back: messages may have been missed. */
  onGap(): void;
}

export type Unlisten = () => Promise<void>;

const RETRY_MS = 1_000;

export async function pgListen(url: string, channel: string, h: ListenHandlers): Promise<Unlisten> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (m) => h.onMessage(m.payload ?? ''));
    c.on('error', () => lost(c));
    c.on('end', () => lost(c));
    await c.connect();
    await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    client = c;
  };
  const lost = (c: pg.Client) => {
    if (stopped || client !== c) return;
    client = undefined;
    void c.end().catch(() => {});
    const again = () => {
      retry = undefined;
      if (stopped) return;
      connect().then(
        () => h.onGap(),
        () => (retry = setTimeout(again, RETRY_MS)),
      );
    };
    retry = setTimeout(again, RETRY_MS);
  };

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}

export async function pgliteListen(lite: PGlite, channel: string, h: ListenHandlers): Promise<Unlisten> {
  const unsubscribe = await lite.listen(channel, (payload) => h.onMessage(payload));
  return async () => {
    if (!lite.closed) await unsubscribe();
  };
}
