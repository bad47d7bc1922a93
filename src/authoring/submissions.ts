/**
 * Synthetic submissions for self-testing templates: the correct answers as a student would
 * send them, a perturbed copy that must not earn full marks, and an unreadable one.
 */
import { allowedError, type AnswerValue, type GradingPart, type Variant } from '../engine/index.js';

function numberText(x: number): string {
  // Shortest round-trip text: exactly the stored double, as a careful student would copy it.
  return String(x);
}

/** The correct answers in submission form (strings, lists of strings). */
export function correctSubmission(v: Variant): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of v.secret.parts) out[part.id] = toSubmission(v.secret.answers[part.id]);
  return out;
}

/** An answer value as a student would type it (numbers as text with enough digits). */
export function toSubmission(value: AnswerValue): unknown {
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'string') return value;
  return (value as unknown[]).map((e) => (Array.isArray(e) ? e.map((x) => numberText(x as number)) : typeof e === 'number' ? numberText(e) : e));
}

function perturbNumber(x: number, part: GradingPart): number {
  const tol = part.tolerance;
  const margin = Math.max(3 * allowedError(x, tol), 0.1 * Math.abs(x), 1);
  return x + margin;
}

/** Every part moved well outside its tolerance (or to another choice). */
export function perturbedSubmission(v: Variant): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of v.secret.parts) {
    const ref = v.secret.answers[part.id];
    switch (part.type) {
      case 'number':
        out[part.id] = numberText(perturbNumber(ref as number, part));
        break;
      case 'integer':
        out[part.id] = String((ref as number) + 1);
        break;
      case 'vector':
        out[part.id] = (ref as number[]).map((x) => numberText(perturbNumber(x, part)));
        break;
      case 'matrix':
        out[part.id] = (ref as number[][]).map((r) => r.map((x) => numberText(perturbNumber(x, part))));
        break;
      case 'choice': {
        const choices = part.choices ?? [];
        if (part.multiple) {
          const set = new Set(ref as string[]);
          const first = choices[0];
          if (set.has(first)) set.delete(first);
          else set.add(first);
          out[part.id] = [...set];
        } else {
          out[part.id] = choices.find((c) => c !== ref);
        }
        break;
      }
    }
  }
  return out;
}

/** Text no part can parse. */
export function unreadableSubmission(v: Variant): Record<string, unknown> {
  return Object.fromEntries(v.secret.parts.map((p) => [p.id, p.type === 'choice' ? 'none-of-these-options' : 'two point five']));
}
