/**
 * npm run bench:sandbox: what running templates in the sandbox costs per call, on the catalogue.
 *   npm run bench:sandbox -- [--runs 3] [--ms 300] [--only <id>[,<id>…]] [--threads N]
 * Per template, one call at a time: microseconds per instantiate and per grade (correct answers)
 * in-process and through the pool (template named by its hash, as after its first use), and the
 * difference (the overhead); then the same with the content sent every time (a new object per
 * call, as when a caller gives neither the same object nor a key). Then the median template,
 * the worker start-up time, and throughput with every worker busy.
 */
import { parseArgs } from 'node:util';
import { grade, instantiate, loadCatalogue, type CompiledTemplate, type Variant } from '../src/engine/index.js';
import { correctSubmission } from '../src/authoring/submissions.js';
import { TemplateSandbox } from '../src/sandbox/index.js';
import { fmt } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    ms: { type: 'string', default: '300' },
    only: { type: 'string' },
    threads: { type: 'string' },
  },
});
const runs = Number(values.runs);
const budgetMs = Number(values.ms);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Microseconds per call of fn(i), called one after another until the budget is spent; the median of `runs`. */
async function perCall(fn: (i: number) => unknown): Promise<number> {
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    let i = 0;
    const start = performance.now();
    while (performance.now() - start < budgetMs) {
      for (let k = 0; k < 8; k++) await fn(i++);
    }
    out.push(((performance.now() - start) * 1000) / i);
  }
  return median(out);
}

interface Row {
  id: string;
  inst: number;
  instPool: number;
  instSent: number;
  grade: number;
  gradePool: number;
}

async function benchTemplate(sandbox: TemplateSandbox, ct: CompiledTemplate): Promise<Row> {
  const content = structuredClone(ct.template);
  const variants: Variant[] = Array.from({ length: 64 }, (_, i) => instantiate(ct, 1_000_000 + i));
  const answers = variants.map(correctSubmission);
  // Fresh objects made before timing, so that cloning them here is not counted.
  const copies = Array.from({ length: 256 }, () => structuredClone(ct.template));
  await sandbox.instantiate(content, 1);
  await sandbox.grade(content, variants[0], answers[0]);
  const row: Row = {
    id: ct.template.id,
    inst: await perCall((i) => instantiate(ct, i)),
    instPool: await perCall((i) => sandbox.instantiate(content, i)),
    instSent: await perCall((i) => sandbox.instantiate(copies[i & 255], i)),
    grade: await perCall((i) => grade(variants[i & 63], answers[i & 63], ct)),
    gradePool: await perCall((i) => sandbox.grade(content, variants[i & 63], answers[i & 63])),
  };
  return row;
}

const only = values.only?.split(',');
const templates = loadCatalogue('problems').filter((t) => !only || only.includes(t.template.id));
const threads = values.threads ? Number(values.threads) : undefined;

const t0 = performance.now();
const sandbox = new TemplateSandbox(threads ? { maxThreads: threads } : {});
const ping = await sandbox.ping();
const startupMs = performance.now() - t0;

console.log(`sandbox benchmark: ${templates.length} templates, median of ${runs} runs of ${budgetMs} ms, one call at a time (node ${process.version})`);
console.log('µs per call: in-process | through the pool | overhead');
console.log(`${'template'.padEnd(36)} ${'instantiate'.padStart(26)} ${'content sent'.padStart(13)} ${'grade'.padStart(26)}`);
const cell = (a: number, b: number): string => `${fmt(a, 1).padStart(7)} ${fmt(b, 1).padStart(8)} ${('+' + fmt(b - a, 1)).padStart(9)}`;
const rows: Row[] = [];
try {
  for (const ct of templates) {
    const r = await benchTemplate(sandbox, ct);
    rows.push(r);
    console.log(`${r.id.padEnd(36)} ${cell(r.inst, r.instPool)} ${fmt(r.instSent, 1).padStart(13)} ${cell(r.grade, r.gradePool)}`);
  }
  const m = (f: (r: Row) => number): number => median(rows.map(f));
  console.log(
    `${'MEDIAN TEMPLATE'.padEnd(36)} ${cell(
      m((r) => r.inst),
      m((r) => r.instPool),
    )} ${fmt(
      m((r) => r.instSent),
      1,
    ).padStart(13)} ${cell(
      m((r) => r.grade),
      m((r) => r.gradePool),
    )}`,
  );
  console.log(
    `median overhead per call: instantiate +${fmt(
      m((r) => r.instPool - r.inst),
      1,
    )} µs, grade +${fmt(
      m((r) => r.gradePool - r.grade),
      1,
    )} µs; sending the content: +${fmt(
      m((r) => r.instSent - r.instPool),
      1,
    )} µs`,
  );
  console.log(`worker start-up: ${fmt(startupMs)} ms to the first answer (${fmt(ping.loadMs)} ms after the thread's own start)`);

  // Throughput: as many calls in flight as it takes to keep every worker busy.
  const ct = templates[Math.floor(templates.length / 2)];
  const content = structuredClone(ct.template);
  await Promise.all(Array.from({ length: 16 }, (_, i) => sandbox.instantiate(content, i)));
  const inFlight = 32;
  let done = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async (_, lane) => {
      for (let i = lane; performance.now() - start < budgetMs * runs; i += inFlight) {
        await sandbox.instantiate(content, i);
        done++;
      }
    }),
  );
  const perSecond = done / ((performance.now() - start) / 1000);
  const single = 1e6 / (await perCall((i) => instantiate(ct, i)));
  console.log(
    `throughput (${ct.template.id}, ${inFlight} in flight, ${sandbox.stats().threads.length} workers): ${fmt(perSecond)} variants/s through the pool vs ${fmt(single)} /s in-process on one thread`,
  );
} finally {
  await sandbox.close();
}
