/**
 * The server's clock as seen from the browser: the offset between the `Date` header of an API
 * response and the local clock when it arrived. A countdown from the server's deadline then
 * shows the server's remaining time even when the laptop's clock is off by minutes.
 */
let skewMs = 0;

/** Learn the offset from a response (its Date header has whole seconds: take the middle). */
export function learnSkew(res: Response, sentAt: number): void {
  const date = res.headers.get('date');
  if (!date) return;
  const server = new Date(date).getTime() + 500;
  if (!Number.isFinite(server)) return;
  const local = (sentAt + Date.now()) / 2;
  skewMs = server - local;
}

export function serverNow(): number {
  return Date.now() + skewMs;
}

/** "1:04:05" or "4:05". */
export function formatRemaining(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
