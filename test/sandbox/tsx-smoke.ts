/**
 * Run by sandbox.test.ts as `tsx test/sandbox/tsx-smoke.ts`, the way the app runs (npm start):
 * the sandbox's worker must load there too, not only under vitest. Prints one JSON line.
 */
import { instantiate, loadTemplateFile } from '../../src/engine/index.js';
import { TemplateSandbox } from '../../src/sandbox/index.js';

const ct = loadTemplateFile('problems/svm-loss/svm-loss-one-example.yaml', 'problems');
const sandbox = new TemplateSandbox({ maxThreads: 1 });
try {
  const same = JSON.stringify(await sandbox.instantiate(ct.template, 3)) === JSON.stringify(instantiate(ct, 3));
  const params: Record<string, unknown> = { a: { type: 'int', min: 1, max: 2 } };
  for (let i = 0; i < 40; i++) params[`p${i}`] = { type: 'derived', expr: 'sum(inv(ones(100, 100) + identity(100)))' };
  const slow = {
    id: 'slow',
    title: 'Slow',
    topic: 't',
    difficulty: 1,
    params,
    prompt: '{{ a }}',
    answers: [{ id: 'x', label: 'x', type: 'number', expr: 'a' }],
  };
  const code = await sandbox.instantiate(slow, 1, { timeoutMs: 200 }).then(
    () => 'none',
    (err: { code?: string }) => err.code,
  );
  const after = JSON.stringify(await sandbox.instantiate(ct.template, 4)) === JSON.stringify(instantiate(ct, 4));
  console.log(JSON.stringify({ same, code, after }));
} finally {
  await sandbox.close();
}
