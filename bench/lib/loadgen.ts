/**
 * bench:http's load generator, a child process: autocannon in a process whose heap holds only
 * autocannon and the requests. (Run inside the bench's own process, autocannon shared a heap of
 * ≈ 100 MB of loaded modules with the setup code, and that heap's GC pauses counted as the
 * server's latency.) Started by bench/http.ts; it answers over IPC:
 *   {cmd: 'jobs', file}       the submit run's jobs, a JSON array of {id, auth, body, key}
 *   {cmd: 'run', url, connections, seconds, requests}  fixed requests, each run cycling through them
 *   {cmd: 'run', url, connections, seconds, submit: true}  each request submits the next unused job
 *   {cmd: 'state'}            per job: sent, HTTP status, acknowledged (a 2xx naming its variant)
 * A run replies {result, cpuMs, pauses, samples}: autocannon's result, this process's CPU and
 * pauses during the run (lib/pauses.ts) and the first body per non-2xx status.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { PauseWatch } from './pauses.js';

export interface SubmitJob {
  id: string;
  auth: string;
  body: string;
  key: string;
}

export interface FixedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface JobState {
  sent: number[];
  answered: number[];
  acked: number[];
  duplicateAcks: number;
  misnamed: number;
  extraAcks: number;
  exhausted: number;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const samples: Record<number, string> = {};
const pauses = new PauseWatch();

let jobs: SubmitJob[] = [];
let next = 0;
let sent = new Uint8Array(0);
let answered = new Uint16Array(0);
let acked = new Uint8Array(0);
const counts = { duplicateAcks: 0, misnamed: 0, extraAcks: 0, exhausted: 0 };

function sample(status: number, body: string): void {
  if ((status < 200 || status >= 300) && !(status in samples)) samples[status] = body.slice(0, 300);
}

/** The variantId of a submit response, found in the text rather than by parsing the body. */
function variantIdOf(body: string): string {
  const at = body.indexOf('"variantId":"');
  return at < 0 ? '' : body.slice(at + 13, at + 13 + 36);
}

function submitRequest(job: SubmitJob, key: string) {
  return { path: `/api/v1/variants/${job.id}/submissions`, headers: { ...JSON_HEADERS, authorization: job.auth, 'idempotency-key': key }, body: job.body };
}

const submit: autocannon.Request = {
  method: 'POST',
  setupRequest: (req, context) => {
    const i = next++;
    const c = context as { i?: number };
    if (i >= jobs.length) {
      // Out of variants: resubmit the last one with a fresh key, which is a counted 409.
      counts.exhausted++;
      c.i = -1;
      return { ...req, ...submitRequest(jobs[jobs.length - 1], `bench-extra-${counts.exhausted}`) };
    }
    sent[i] = 1;
    c.i = i;
    return { ...req, ...submitRequest(jobs[i], jobs[i].key) };
  },
  onResponse: (status, body, context) => {
    sample(status, body);
    const i = (context as { i?: number }).i ?? -1;
    if (i >= 0) answered[i] = status;
    if (status < 200 || status >= 300) return;
    if (i < 0) counts.extraAcks++;
    else if (variantIdOf(body) !== jobs[i].id) counts.misnamed++;
    else if (acked[i]) counts.duplicateAcks++;
    else acked[i] = 1;
  },
};

async function run(m: { url: string; connections: number; seconds: number; requests?: FixedRequest[]; submit?: boolean }) {
  const requests: autocannon.Request[] = m.submit ? [submit] : (m.requests ?? []).map((r) => ({ ...r, onResponse: sample }));
  const cpu = process.cpuUsage();
  pauses.start();
  const result = await autocannon({ url: m.url, connections: m.connections, duration: m.seconds, requests, timeout: 30 });
  const report = pauses.report();
  const used = process.cpuUsage(cpu);
  return { result, cpuMs: (used.user + used.system) / 1000, pauses: report, samples };
}

process.on('message', (m: { cmd: string; file?: string } & Parameters<typeof run>[0]) => {
  if (m.cmd === 'jobs' && m.file) {
    jobs = JSON.parse(readFileSync(m.file, 'utf8')) as SubmitJob[];
    next = 0;
    sent = new Uint8Array(jobs.length);
    answered = new Uint16Array(jobs.length);
    acked = new Uint8Array(jobs.length);
    process.send?.({ jobs: jobs.length });
  } else if (m.cmd === 'run') {
    run(m).then(
      (r) => process.send?.({ ran: r }),
      (err: unknown) => process.send?.({ ran: { error: String(err) } }),
    );
  } else if (m.cmd === 'state') {
    const state: JobState = { sent: [...sent], answered: [...answered], acked: [...acked], ...counts };
    process.send?.({ state });
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
