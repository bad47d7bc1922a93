/**
 * Event-loop delay and garbage-collection pauses of this process over a window (start() then
 * report()): the time a request can lose in a process besides its own work. The HTTP bench
 * watches both the server and the load generator, whose pauses show up in the latencies it
 * measures.
 */
import { monitorEventLoopDelay, PerformanceObserver, constants } from 'node:perf_hooks';

export interface PauseReport {
  loopP99: number;
  loopMax: number;
  gc: { count: number; ms: number; maxMs: number; major: number };
}

export class PauseWatch {
  private readonly loop = monitorEventLoopDelay({ resolution: 1 });
  private gc = { count: 0, ms: 0, maxMs: 0, major: 0 };
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      this.gc.count++;
      this.gc.ms += e.duration;
      this.gc.maxMs = Math.max(this.gc.maxMs, e.duration);
      if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.gc.major++;
    }
  });

  start(): void {
    this.gc = { count: 0, ms: 0, maxMs: 0, major: 0 };
    this.loop.reset();
    this.loop.enable();
    this.observer.observe({ entryTypes: ['gc'] });
  }

  report(): PauseReport {
    this.loop.disable();
    this.observer.disconnect();
    return { loopP99: this.loop.percentile(99) / 1e6, loopMax: this.loop.max / 1e6, gc: { ...this.gc } };
  }
}

export function describePauses(p: PauseReport): string {
  const f = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  return `loop delay p99 ${f(p.loopP99, 1)} ms, max ${f(p.loopMax, 1)} ms; GC ${f(p.gc.count)} pauses (${f(p.gc.major)} major), ${f(p.gc.ms)} ms in all, longest ${f(p.gc.maxMs, 1)} ms`;
}
