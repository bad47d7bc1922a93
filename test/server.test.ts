/**
 * The README's promise, end to end: `npm start` with no configuration serves the API on an
 * embedded database in DATA_DIR, creates the admin once, keeps data across restarts, and
 * closes gracefully on SIGTERM (in-flight requests finish).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dataDir = mkdtempSync(join(tmpdir(), 'qg-server-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

interface Running {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

async function start(): Promise<Running> {
  const port = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  delete env.JWT_SECRET;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += String(d)));
  child.stderr?.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not become ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, port, output: () => out, exited };
}

function login(port: number, email: string, password: string) {
  return fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

describe('npm start on the embedded database', { timeout: 240_000 }, () => {
  let password = '';

  it('starts with no configuration, prints the admin password once, serves the API', async () => {
    const s = await start();
    const m = /password: (\S+)/.exec(s.output());
    expect(m).not.toBeNull();
    password = m![1]!;
    const res = await login(s.port, 'admin@quizgrad.local', password);
    expect(res.status).toBe(200);
    const { accessToken } = (await res.json()) as { accessToken: string };
    const course = await fetch(`http://127.0.0.1:${s.port}/api/v1/courses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ title: 'Deep Learning', code: 'DL-E2E' }),
    });
    expect(course.status).toBe(201);
    const templates = await fetch(`http://127.0.0.1:${s.port}/api/v1/courses/${((await course.json()) as { id: string }).id}/templates`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(((await templates.json()) as { total: number }).total).toBeGreaterThanOrEqual(40);

    // SIGTERM while a slow request (argon2 login) is in flight: it still completes.
    const inFlight = login(s.port, 'admin@quizgrad.local', password);
    await new Promise((r) => setTimeout(r, 5));
    s.child.kill('SIGTERM');
    expect((await inFlight).status).toBe(200);
    expect(await s.exited).toBe(0);
  });

  it('keeps data across a restart and does not create the admin again', async () => {
    const s = await start();
    expect(s.output()).not.toMatch(/password:/);
    const res = await login(s.port, 'admin@quizgrad.local', password);
    expect(res.status).toBe(200);
    const { accessToken } = (await res.json()) as { accessToken: string };
    const mine = await fetch(`http://127.0.0.1:${s.port}/api/v1/courses`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(((await mine.json()) as { items: { code: string }[] }).items.map((c) => c.code)).toContain('DL-E2E');
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);
  });

  it('refuses to start with a bad variable and names it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: root,
      env: { ...process.env, PORT: 'eighty', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stderr?.on('data', (d) => (out += String(d)));
    const code = await new Promise<number | null>((res) => child.on('exit', res));
    expect(code).toBe(1);
    expect(out).toMatch(/PORT/);
  });
});
