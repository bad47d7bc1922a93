// Builds the browser app (web/ → web/dist) with Vite. With --if-stale it builds only when
// web/dist is missing or older than a source file, so `npm start` after `npm install` (which
// builds once) costs nothing, while a changed web/src is rebuilt before serving.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const web = join(root, 'web');
const built = join(web, 'dist', 'index.html');

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((e) => newest(join(path, e))));
}

if (process.argv.includes('--if-stale') && existsSync(built)) {
  const sources = Math.max(newest(join(web, 'src')), newest(join(web, 'index.html')), newest(join(web, 'vite.config.ts')));
  if (statSync(built).mtimeMs >= sources) process.exit(0);
}
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
if (!existsSync(vite)) {
  console.error('web app not built: vite is not installed (npm install installs it)');
  process.exit(process.argv.includes('--optional') ? 0 : 1);
}
const started = Date.now();
const r = spawnSync(process.execPath, [vite, 'build', '--config', join(web, 'vite.config.ts'), '--logLevel', 'warn'], { stdio: 'inherit', cwd: root });
if (r.status === 0) console.log(`web app built into web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(r.status ?? 1);
