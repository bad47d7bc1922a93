/**
 * npm run bench: per template, variants per second (instantiate) and grades per second (grade
 * of the correct answers) on one core, the median of several runs; then the median template.
 *   npm run bench -- [--runs 5] [--ms 200] [--only <id>]
 * Targets (issue 2): the median template ≥ 20,000 variants/s and ≥ 100,000 grades/s.
 */
import { parseArgs } from 'node:util';
import { grade, instantiate, loadCatalogue, type CompiledTemplate } from '../src/engine/index.js';
import { correctSubmission } from '../src/authoring/submissions.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    ms: { type: 'string', default: '200' },
    only: { type: 'string' },
  },
});
const runs = Number(values.runs);
const budgetMs = Number(values.ms);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Calls fn(i) in batches until the time budget is spent; returns calls per second. */
function rate(fn: (i: number) => void): number {
  let i = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(budgetMs) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let k = 0; k < 64; k++) fn(i++);
    now = process.hrtime.bigint();
  }
  return i / (Number(now - start) / 1e9);
}

function benchTemplate(ct: CompiledTemplate): { variants: number; grades: number } {
  const pool = Array.from({ length: 256 }, (_, i) => instantiate(ct, 1_000_000 + i));
  const answers = pool.map(correctSubmission);
  let sink = 0;
  // Warm up both paths so the JIT has settled before timing.
  rate((i) => (sink += instantiate(ct, i).seed));
  rate((i) => (sink += grade(pool[i & 255], answers[i & 255], ct).score));
  const v: number[] = [];
  const g: number[] = [];
  for (let r = 0; r < runs; r++) {
    v.push(rate((i) => (sink += instantiate(ct, r * 10_000_000 + i).seed)));
    g.push(rate((i) => (sink += grade(pool[i & 255], answers[i & 255], ct).score)));
  }
  if (sink === -1) console.log(sink);
  return { variants: median(v), grades: median(g) };
}

const templates = loadCatalogue('problems').filter((t) => !values.only || t.template.id === values.only);
console.log(`engine benchmark: ${templates.length} templates, median of ${runs} runs of ${budgetMs} ms, one core (node ${process.version})`);
console.log(`${'template'.padEnd(40)} ${'variants/s'.padStart(12)} ${'grades/s'.padStart(12)}`);
const vs: number[] = [];
const gs: number[] = [];
for (const ct of templates) {
  const r = benchTemplate(ct);
  vs.push(r.variants);
  gs.push(r.grades);
  console.log(
    `${ct.template.id.padEnd(40)} ${Math.round(r.variants).toLocaleString('en-US').padStart(12)} ${Math.round(r.grades).toLocaleString('en-US').padStart(12)}`,
  );
}
const mv = median(vs);
const mg = median(gs);
console.log(`${'MEDIAN TEMPLATE'.padEnd(40)} ${Math.round(mv).toLocaleString('en-US').padStart(12)} ${Math.round(mg).toLocaleString('en-US').padStart(12)}`);
console.log(`slowest: ${Math.round(Math.min(...vs)).toLocaleString('en-US')} variants/s, ${Math.round(Math.min(...gs)).toLocaleString('en-US')} grades/s`);
console.log(`targets: median ≥ 20,000 variants/s ${mv >= 20_000 ? 'MET' : 'NOT MET'}; median ≥ 100,000 grades/s ${mg >= 100_000 ? 'MET' : 'NOT MET'}`);
