/**
 * The options a choice part shows in one variant. A template's `choices` may hold `{{ }}`
 * placeholders over the parameters (numeric distractors that follow the variant); `pick: k`
 * shows k of them, always with a right one; and the shown options are shuffled unless
 * `shuffle: false`. Every draw comes from the variant's generator, after its parameters, so a
 * seed gives the same options in the same order. The stored part keeps the options as shown;
 * grading compares the text a student chose with the stored answer, so order never matters to it.
 */
import { ExpressionError } from './errors.js';
import type { Rng } from './rng.js';
import type { AnswerSpec } from './template-schema.js';

/** The options each choice part of a stored variant showed, by part id: what a regrade keeps. */
export type ShownChoices = Readonly<Record<string, readonly string[]>>;

/** The options a stored variant's choice parts showed (from its grading or public parts). */
export function shownChoices(parts: readonly { id: string; choices?: readonly string[] }[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of parts) if (p.choices) out[p.id] = [...p.choices];
  return out;
}

/** Whether a choice answer's options are shown in a random order: yes unless `shuffle: false`. */
export function shufflesChoices(spec: Pick<AnswerSpec, 'shuffle'>): boolean {
  return spec.shuffle ?? true;
}

/** A rendered option longer than this is a template bug (the written one is at most 200 characters). */
const MAX_RENDERED = 500;

/** Checks the options rendered for one variant: non-empty, not too long, all different. */
export function checkRendered(rendered: readonly string[], path: string): void {
  const seen = new Map<string, number>();
  rendered.forEach((c, i) => {
    if (c === '') throw new ExpressionError(`choices[${i}] is empty for these parameters`, path);
    if (c.length > MAX_RENDERED) throw new ExpressionError(`choices[${i}] is ${c.length} characters for these parameters; at most ${MAX_RENDERED}`, path);
    const j = seen.get(c);
    if (j !== undefined) {
      throw new ExpressionError(
        `choices[${j}] and choices[${i}] both read "${c.slice(0, 60)}" for these parameters; add a constraint that keeps them apart`,
        path,
      );
    }
    seen.set(c, i);
  });
}

/** Fisher–Yates, in place. */
function shuffleInPlace<T>(xs: T[], rng: Rng): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const t = xs[i];
    xs[i] = xs[j];
    xs[j] = t;
  }
  return xs;
}

/** n different elements of `from`, uniformly. */
function sample<T>(from: readonly T[], n: number, rng: Rng): T[] {
  return shuffleInPlace([...from], rng).slice(0, n);
}

/**
 * drawChoices(spec, rendered, right, rng): the options one variant shows, in its order.
 * With `pick: k`, a single-answer part shows the right option and k − 1 others; a multiple-answer
 * part shows one right and one wrong option (when there are any) and k − 2 others, so "select all
 * that apply" is neither empty nor everything by construction, and its answer becomes the right
 * options among those shown. The picked options keep their written order unless shuffled.
 */
export function drawChoices(spec: AnswerSpec, rendered: readonly string[], right: readonly string[], rng: Rng): string[] {
  let shown: string[];
  const k = spec.pick;
  if (k === undefined || k >= rendered.length) shown = [...rendered];
  else {
    const isRight = new Set(right);
    const rights = rendered.filter((c) => isRight.has(c));
    const wrongs = rendered.filter((c) => !isRight.has(c));
    const sure = sample(rights, 1, rng);
    if (spec.multiple && k >= 2 && wrongs.length > 0) sure.push(...sample(wrongs, 1, rng));
    const rest = (spec.multiple ? rendered : wrongs).filter((c) => !sure.includes(c));
    const chosen = new Set([...sure, ...sample(rest, k - sure.length, rng)]);
    shown = rendered.filter((c) => chosen.has(c));
  }
  return shufflesChoices(spec) ? shuffleInPlace(shown, rng) : shown;
}

/**
 * keepShown(stored, rendered, path): the options a stored variant showed, when a regrade
 * recomputes it with a (newer) version: the student chose among those, so they stay, in their
 * order, as long as this version still offers each of them.
 */
export function keepShown(stored: readonly string[], rendered: readonly string[], path: string): string[] {
  for (const c of stored) {
    if (!rendered.includes(c)) throw new ExpressionError(`the variant showed the choice "${c.slice(0, 60)}", which this version does not offer`, path);
  }
  return [...stored];
}

/**
 * The right answer among the options shown: a single answer must be one of them; a multiple
 * answer keeps the right options that are shown (at least one, when any was right).
 */
export function answerAmongShown(value: string | string[], shown: readonly string[], path: string): string | string[] {
  if (typeof value === 'string') {
    if (!shown.includes(value)) throw new ExpressionError(`the right choice "${value.slice(0, 60)}" is not among the choices shown`, path);
    return value;
  }
  const kept = value.filter((c) => shown.includes(c));
  if (kept.length === 0 && value.length > 0) throw new ExpressionError('none of the right choices is among the choices shown', path);
  return kept;
}
