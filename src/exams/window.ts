/** The time window and attempt budget that apply to one student, overrides included. */
import type { Policies } from './blueprint.js';

export interface StudentWindow {
  opensAt?: Date;
  closesAt?: Date;
  timeLimitMinutes?: number;
  maxAttempts: number;
}

/** A student's override of an exam's policies (a row of ExamOverride). */
export interface WindowOverride {
  extraMinutes: number;
  closesAt: Date | null;
  extraAttempts: number;
}

/** overrideOf(row): the override columns of a joined row (extraMinutes null: no override). */
export function overrideOf(row: { extraMinutes: number | null; overrideClosesAt: Date | null; extraAttempts: number | null }): WindowOverride | null {
  return row.extraMinutes === null ? null : { extraMinutes: row.extraMinutes, closesAt: row.overrideClosesAt, extraAttempts: row.extraAttempts ?? 0 };
}

/** windowOf(policies, override?): the window once the student's override (if any) is applied. */
export function windowOf(p: Policies, o: WindowOverride | null | undefined): StudentWindow {
  const closesAt = o?.closesAt ?? p.closesAt;
  const limit = p.timeLimitMinutes === undefined ? undefined : p.timeLimitMinutes + (o?.extraMinutes ?? 0);
  return {
    ...(p.opensAt ? { opensAt: p.opensAt } : {}),
    ...(closesAt ? { closesAt } : {}),
    ...(limit !== undefined ? { timeLimitMinutes: limit } : {}),
    maxAttempts: p.maxAttempts + (o?.extraAttempts ?? 0),
  };
}

/** The deadline of an attempt started at `start`: the earlier of start + limit and the close time. */
export function deadlineFor(w: StudentWindow, start: Date): Date | null {
  const byLimit = w.timeLimitMinutes === undefined ? undefined : start.getTime() + w.timeLimitMinutes * 60_000;
  const byClose = w.closesAt?.getTime();
  const candidates = [byLimit, byClose].filter((x): x is number => x !== undefined);
  return candidates.length ? new Date(Math.min(...candidates)) : null;
}
