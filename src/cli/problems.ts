/**
 * Command line for template authors:
 *   npm run problems -- validate [--dir problems]
 *   npm run problems -- preview <id> [--seed N] [--json]
 *   npm run problems -- test <id|all> [-n N] [--seed FIRST]
 * Exits non-zero on any invalid file or failed check, naming the file, field and reason.
 */
import { parseArgs } from 'node:util';
import { checkCatalogue, formatValue, instantiate, type CompiledTemplate } from '../engine/index.js';
import { selfTest } from '../authoring/self-test.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dir: { type: 'string', default: 'problems' },
    seed: { type: 'string', default: '1' },
    n: { type: 'string', short: 'n', default: '100' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const USAGE = `usage: npm run problems -- <command>
  validate                    check every template file
  preview <id> [--seed N]     show the prompt, parameters, answers and solution of one variant
  test <id|all> [-n N]        instantiate N variants per template and self-grade them`;

function integerOption(name: string, text: string | undefined, min: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) {
    console.error(`--${name} must be an integer ≥ ${min}, got "${text}"`);
    process.exit(2);
  }
  return v;
}

function loadAll(): CompiledTemplate[] {
  const { templates, problems } = checkCatalogue(values.dir);
  for (const p of problems) {
    const issues = 'issues' in p.error && Array.isArray(p.error.issues) && p.error.issues.length > 1 ? p.error.issues : [];
    console.error(`✗ ${p.file}: ${issues.length ? '' : p.error.message.replace(`${p.file}: `, '')}`);
    for (const i of issues as { path: string; message: string }[]) console.error(`    ${i.path || '(root)'}: ${i.message}`);
  }
  if (problems.length) process.exitCode = 1;
  return templates;
}

function find(templates: CompiledTemplate[], id: string | undefined): CompiledTemplate {
  const ct = templates.find((t) => t.template.id === id);
  if (!ct) {
    console.error(`no template with id '${id}' (${templates.length} valid templates in ${values.dir}/)`);
    process.exit(1);
  }
  return ct;
}

function progressBar(label: string, done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r${label.padEnd(36)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  if (done === total) process.stderr.write('\r\x1b[K');
}

function runValidate(): void {
  const templates = loadAll();
  const topics = new Set(templates.map((t) => t.template.topic));
  console.log(`${templates.length} valid templates in ${topics.size} topics${process.exitCode ? ' (and invalid files above)' : ''}`);
}

function runPreview(id: string | undefined): void {
  const ct = find(loadAll(), id);
  const seed = integerOption('seed', values.seed, 0);
  const v = instantiate(ct, seed);
  if (values.json) {
    console.log(JSON.stringify(v, null, 2));
    return;
  }
  console.log(`# ${v.public.title}  (${v.templateId}, seed ${seed})\n`);
  console.log(v.public.prompt.trim());
  console.log('\n## Parameters');
  for (const [k, val] of Object.entries(v.secret.params)) console.log(`  ${k} = ${formatValue(val, 10)}`);
  console.log('\n## Answers');
  for (const p of v.secret.parts) {
    console.log(`  ${p.id} (${p.label}; ${p.type}, ${p.points} pt) = ${formatValue(v.secret.answers[p.id], 10)}`);
    // The options as this variant shows them, in its order.
    for (const [i, c] of (p.choices ?? []).entries()) console.log(`    ${String.fromCharCode(97 + i)}) ${c}`);
  }
  console.log('\n## Solution');
  console.log(v.secret.solution.trim());
}

function runTest(which: string | undefined): void {
  const templates = loadAll();
  const chosen = which === 'all' ? templates : [find(templates, which)];
  const n = integerOption('n', values.n, 1);
  const first = integerOption('seed', values.seed, 0);
  let failed = 0;
  for (const ct of chosen) {
    const id = ct.template.id;
    const report = selfTest(ct, n, first, (d, t) => progressBar(id, d, t));
    const share = ((100 * report.distinct) / report.variants).toFixed(0);
    if (report.failures.length === 0) {
      console.log(`✓ ${id.padEnd(40)} ${n} variants, ${report.distinct} distinct (${share}%)`);
    } else {
      failed++;
      console.log(`✗ ${id.padEnd(40)} ${report.failures.length} of ${n} variants failed`);
      for (const f of report.failures.slice(0, 5)) console.log(`    seed ${f.seed}: ${f.reason}`);
    }
  }
  console.log(`${chosen.length - failed} of ${chosen.length} templates passed`);
  if (failed) process.exitCode = 1;
}

const [command, arg] = positionals;
if (values.help || !command) {
  console.log(USAGE);
  process.exit(command ? 0 : 2);
}
switch (command) {
  case 'validate':
    runValidate();
    break;
  case 'preview':
    runPreview(arg);
    break;
  case 'test':
    runTest(arg ?? 'all');
    break;
  default:
    console.error(`unknown command '${command}'\n${USAGE}`);
    process.exit(2);
}
