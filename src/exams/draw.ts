/**
 * Picking an attempt's questions: each section draws `count` templates from its pool, never a
 * template already drawn in this attempt, round-robin across the pool's groups when it has
 * them (so a section of 4 over groups A, B draws 2 + 2), then the order is optionally shuffled.
 */
import { conflict } from '../errors.js';

export interface ResolvedSection {
  count: number;
  points: number;
  templateIds: string[];
  groups?: string[][];
}

export interface DrawnQuestion {
  sectionIndex: number;
  templateId: string;
  points: number;
}

/** A source of uniform integers in [0, n). */
export type RandomIndex = (n: number) => number;

function shuffleInPlace<T>(xs: T[], random: RandomIndex): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/**
 * drawQuestions(sections, shuffle, random): the attempt's questions in presentation order.
 * Slots are matched to templates by augmenting paths (Kuhn's algorithm) over shuffled
 * candidate lists: random, and it finds a repeat-free draw whenever one exists, even when a
 * greedy pick for an early section would starve a later one.
 */
export function drawQuestions(sections: ResolvedSection[], shuffle: boolean, random: RandomIndex): DrawnQuestion[] {
  const slots: { sectionIndex: number; points: number; candidates: string[] }[] = [];
  sections.forEach((s, sectionIndex) => {
    const groups = s.groups ? shuffleInPlace([...s.groups], random) : [s.templateIds];
    for (let k = 0; k < s.count; k++) {
      slots.push({ sectionIndex, points: s.points, candidates: shuffleInPlace([...groups[k % groups.length]], random) });
    }
  });
  const owner = new Map<string, number>();
  const assign = (slot: number, seen: Set<string>): boolean => {
    for (const t of slots[slot].candidates) {
      if (seen.has(t)) continue;
      seen.add(t);
      const holder = owner.get(t);
      if (holder === undefined || assign(holder, seen)) {
        owner.set(t, slot);
        return true;
      }
    }
    return false;
  };
  slots.forEach((slot, i) => {
    if (!assign(i, new Set())) {
      throw conflict('BLUEPRINT_UNSATISFIABLE', `section ${slot.sectionIndex + 1} has too few templates to draw without repeats`);
    }
  });
  const templateOf = new Array<string>(slots.length);
  for (const [t, slot] of owner) templateOf[slot] = t;
  const out = slots.map((s, i) => ({ sectionIndex: s.sectionIndex, templateId: templateOf[i], points: s.points }));
  return shuffle ? shuffleInPlace(out, random) : out;
}
