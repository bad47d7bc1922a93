/**
 * The server under test as a child process: bench/http-server.ts (hello | pg | app) on an
 * ephemeral port, reporting its port over IPC and answering the parent's commands (SQL
 * statement count, CPU time, CPU profile of a window). Shared by the HTTP benchmarks. Also
 * the load generator of bench:http as a child (bench/lib/loadgen.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const SERVER = resolve(ROOT, 'bench/http-server.ts');
const LOADGEN = resolve(ROOT, 'bench/lib/loadgen.ts');

export interface Child {
  pid: number;
  /** Sends a command to the child and waits for the reply that has the key `answer`. */
  ask<T>(command: Record<string, unknown>, answer: string): Promise<T>;
}

export interface ChildServer extends Child {
  url: string;
  /** SIGTERM (the server closes cleanly and writes a pending profile), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

function asker(child: ChildProcess) {
  return <T>(command: Record<string, unknown>, answer: string) =>
    new Promise<T>((ok, fail) => {
      const onMessage = (m: Record<string, unknown>) => {
        if (!(answer in m)) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        ok(m[answer] as T);
      };
      const onExit = (code: number | null) => {
        child.off('message', onMessage);
        fail(new Error(`child ${child.pid} exited with ${code} before answering ${answer}`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(command);
    });
}

/** The load generator (bench/lib/loadgen.ts) in a child process; killed with killChildren(). */
export async function startLoadgen(): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', LOADGEN], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  await new Promise<void>((ok, fail) => {
    child.once('message', () => ok());
    child.once('exit', (code) => fail(new Error(`load generator exited with ${code}`)));
  });
  return { pid: child.pid as number, ask: asker(child) };
}

const children = new Set<ChildProcess>();

/** Kills every child server still running (for error paths and Ctrl-C). */
export function killChildren(): void {
  for (const c of children) c.kill('SIGKILL');
}

export async function startServer(mode: 'hello' | 'pg' | 'app', env: Record<string, string>): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, mode], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  children.add(child);
  const exited = new Promise<void>((done) => child.once('exit', () => (children.delete(child), done())));
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${mode} server did not start in 60 s`)), 60_000);
    child.once('message', (m: { port: number }) => (clearTimeout(timer), ok(m.port)));
    child.once('exit', (code) => (clearTimeout(timer), fail(new Error(`${mode} server exited with ${code}`))));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    ask: asker(child),
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
