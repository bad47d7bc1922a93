/**
 * Nothing a student types is lost. Every edit goes to localStorage first (it survives a reload,
 * a closed tab and a dropped network; in an LMS iframe whose storage the browser denies, this
 * page's memory: lib/device-storage.ts), then to the API's autosave after a short pause; an
 * answer stays marked unsent until the server has acknowledged it, and unsent answers are sent
 * again when the network returns (the `online` event, and a retry every few seconds).
 */
import { signal } from '@preact/signals';
import { ApiError } from '../api/client';
import type { Answers } from './answers';
import { deviceStorage } from '../lib/device-storage';

export interface StoredEntry {
  answers: Answers;
  /** Milliseconds since the epoch of the last edit. */
  editedAt: number;
  sent: boolean;
}

export type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; at: string } | { kind: 'offline' } | { kind: 'error'; error: ApiError };

const DEBOUNCE_MS = 600;
const RETRY_MS = 5_000;

export const storageKey = (attemptId: string) => `quizgrad:attempt:${attemptId}`;

export class AttemptOutbox {
  /** Per question position, what the indicator shows. */
  readonly states = signal<Record<number, SaveState>>({});
  private timers = new Map<number, ReturnType<typeof setTimeout>>();
  private inFlight = new Map<number, Promise<void>>();
  private retry: ReturnType<typeof setInterval>;
  private readonly onOnline = () => void this.flushAll();

  constructor(
    private readonly attemptId: string,
    private readonly send: (position: number, answers: Answers) => Promise<{ savedAt: string }>,
  ) {
    window.addEventListener('online', this.onOnline);
    this.retry = setInterval(() => {
      if (this.unsentPositions().length > 0) void this.flushAll();
    }, RETRY_MS);
  }

  dispose(): void {
    window.removeEventListener('online', this.onOnline);
    clearInterval(this.retry);
    for (const t of this.timers.values()) clearTimeout(t);
  }

  read(): Record<number, StoredEntry> {
    try {
      const raw = deviceStorage.getItem(storageKey(this.attemptId));
      return raw ? (JSON.parse(raw) as Record<number, StoredEntry>) : {};
    } catch {
      return {};
    }
  }

  private write(all: Record<number, StoredEntry>): void {
    deviceStorage.setItem(storageKey(this.attemptId), JSON.stringify(all));
  }

  unsentPositions(): number[] {
    return Object.entries(this.read())
      .filter(([, e]) => !e.sent)
      .map(([p]) => Number(p));
  }

  private setState(position: number, s: SaveState): void {
    this.states.value = { ...this.states.value, [position]: s };
  }

  /** An edit: kept on this device now, sent after a pause. */
  edit(position: number, answers: Answers): void {
    const all = this.read();
    all[position] = { answers, editedAt: Date.now(), sent: false };
    this.write(all);
    clearTimeout(this.timers.get(position));
    this.timers.set(
      position,
      setTimeout(() => void this.flush(position), DEBOUNCE_MS),
    );
    if (!navigator.onLine) this.setState(position, { kind: 'offline' });
  }

  /** Sends one question's unsent answers (one request per question at a time, in order). */
  async flush(position: number): Promise<void> {
    clearTimeout(this.timers.get(position));
    const running = this.inFlight.get(position);
    if (running) await running;
    const entry = this.read()[position];
    if (!entry || entry.sent) return;
    const p = this.sendEntry(position, entry).finally(() => this.inFlight.delete(position));
    this.inFlight.set(position, p);
    return p;
  }

  private async sendEntry(position: number, entry: StoredEntry): Promise<void> {
    this.setState(position, { kind: 'saving' });
    try {
      const r = await this.send(position, entry.answers);
      const all = this.read();
      // Only what was sent is marked sent: an edit made meanwhile stays unsent and goes next.
      if (all[position] && all[position].editedAt === entry.editedAt) {
        all[position].sent = true;
        this.write(all);
        this.setState(position, { kind: 'saved', at: r.savedAt });
      } else {
        await this.sendEntry(position, all[position]);
      }
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(0, 'OFFLINE', 'network error');
      if (err.code === 'QUESTION_ENDED') {
        // Solved or out of tries: the server keeps the graded answers and will take no other,
        // so this entry is settled rather than retried forever.
        const all = this.read();
        if (all[position]) all[position].sent = true;
        this.write(all);
        this.setState(position, { kind: 'idle' });
      } else if (err.status === 0 || err.status >= 500 || err.status === 429 || err.status === 408) this.setState(position, { kind: 'offline' });
      else this.setState(position, { kind: 'error', error: err });
    }
  }

  /**
   * A question is about to be submitted for grading with the answers shown: the submission
   * stores them, so the pending autosave is cancelled (sent after a correct try it would be
   * refused). Returns the edit the submission carries, for `submitted`.
   */
  async beforeSubmit(position: number): Promise<number | undefined> {
    clearTimeout(this.timers.get(position));
    await this.inFlight.get(position);
    return this.read()[position]?.editedAt;
  }

  /** The submission of `beforeSubmit`'s edit was stored: that edit is sent. */
  submitted(position: number, editedAt: number | undefined, savedAt: string): void {
    const all = this.read();
    if (all[position] && all[position].editedAt === editedAt) {
      all[position].sent = true;
      this.write(all);
    }
    if (!all[position] || all[position].sent) this.setState(position, { kind: 'saved', at: savedAt });
    else void this.flush(position); // edited while grading: that edit still goes
  }

  async flushAll(): Promise<void> {
    await Promise.all(this.unsentPositions().map((p) => this.flush(p)));
  }

  /** Forget this attempt's stored answers (after it finished and the server has them). */
  clear(): void {
    deviceStorage.removeItem(storageKey(this.attemptId));
  }
}

/** The words of the overall indicator. */
export function overallState(states: Record<number, SaveState>, unsent: number): { kind: SaveState['kind']; text: string } {
  const list = Object.values(states);
  const err = list.find((s) => s.kind === 'error');
  if (err && err.kind === 'error') return { kind: 'error', text: `not saved: ${err.error.message}` };
  if (list.some((s) => s.kind === 'offline')) return { kind: 'offline', text: 'offline — kept on this device, will be sent' };
  if (list.some((s) => s.kind === 'saving') || unsent > 0) return { kind: 'saving', text: 'saving…' };
  const times = list.flatMap((s) => (s.kind === 'saved' ? [s.at] : [])).sort();
  const last = times[times.length - 1];
  if (last) return { kind: 'saved', text: `saved ${new Date(last).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}` };
  return { kind: 'idle', text: 'answers are saved as you type' };
}
