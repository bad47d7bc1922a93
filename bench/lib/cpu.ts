/** CPU accounting from /proc (Linux; elsewhere the readings are 0). */
import { readFileSync } from 'node:fs';
import type pg from 'pg';

/**
 * CPU milliseconds (user + system) used by the PostgreSQL backends of database `name` plus the
 * WAL writer, background writer and checkpointer, read from /proc (Linux; 0 elsewhere). A
 * backend's last reading is kept after it exits (the server's pool closes idle connections),
 * so the total never goes down; what a backend used after its last reading is lost, so read
 * often (once a second) when backends come and go.
 */
export class PostgresCpu {
  private last = new Map<number, number>();

  constructor(
    private readonly admin: pg.Client,
    private readonly name: string,
  ) {}

  async read(): Promise<number> {
    const { rows } = await this.admin.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = $1 OR backend_type IN ('walwriter', 'background writer', 'checkpointer')",
      [this.name],
    );
    for (const { pid } of rows) {
      try {
        // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        this.last.set(pid, (Number(fields[11]) + Number(fields[12])) * 10); // USER_HZ is 100 on Linux
      } catch {
        // Not Linux, or the process has gone: keep its last reading.
      }
    }
    let total = 0;
    for (const ms of this.last.values()) total += ms;
    return total;
  }
}

/**
 * CPU milliseconds the whole machine has been busy (all cores: user, nice, system, irq,
 * softirq, steal) and the number of cores. The difference of two readings, minus what the
 * benchmark's own processes used, is what other work on the machine took meanwhile.
 */
export function machineCpuMs(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return (user + nice + system + irq + softirq + steal) * 10;
  } catch {
    return 0;
  }
}
