/**
 * Why a number counted as wrong, once the correct answer is released:
 * "1.99 is 2.5 % from 2.04; within 1 % was needed". Only shown beside a released answer, so it
 * tells nothing the policy has not already shown.
 */
export interface ToleranceInfo {
  mode: 'relative' | 'absolute' | 'sigfigs' | 'decimals';
  rtol?: number;
  atol?: number;
  digits?: number;
  places?: number;
}

/** A number as students may write it (decimal, scientific, a fraction); NaN otherwise. */
export function readNumber(text: string): number {
  const t = text.trim().replace(/\u2212/g, '-');
  const frac = /^([-+]?\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(t);
  if (frac) return Number(frac[1]) / Number(frac[2]);
  return t === '' ? NaN : Number(t);
}

const fmt = (x: number) => (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? String(Number(x.toPrecision(6))) : x.toPrecision(3));

function isTolerance(t: unknown): t is ToleranceInfo {
  return typeof t === 'object' && t !== null && typeof (t as { mode?: unknown }).mode === 'string';
}

/** explainMiss(given, correct, tolerance): a sentence, or undefined when there is nothing to say. */
export function explainMiss(given: string, correct: unknown, tolerance: unknown): string | undefined {
  const a = readNumber(given);
  if (typeof correct !== 'number' || !Number.isFinite(a) || !isTolerance(tolerance)) return undefined;
  const diff = Math.abs(a - correct);
  switch (tolerance.mode) {
    case 'relative': {
      const rel = correct === 0 ? Infinity : (diff / Math.abs(correct)) * 100;
      const need = (tolerance.rtol ?? 0) * 100;
      return `${fmt(a)} is ${Number.isFinite(rel) ? `${fmt(rel)} %` : fmt(diff)} from ${fmt(correct)}; within ${fmt(need)} % was needed.`;
    }
    case 'absolute':
      return `${fmt(a)} is ${fmt(diff)} from ${fmt(correct)}; within ${fmt(tolerance.atol ?? 0)} was needed.`;
    case 'sigfigs':
      return `${fmt(a)} differs from ${fmt(correct)} at ${tolerance.digits} significant figures.`;
    case 'decimals':
      return `${fmt(a)} differs from ${fmt(correct)} at ${tolerance.places} decimal places.`;
  }
}

/** A released correct answer as text. */
export function answerText(v: unknown): string {
  if (Array.isArray(v))
    return v.every((x) => Array.isArray(x)) ? `[${v.map((r) => `[${(r as unknown[]).map(answerText).join(', ')}]`).join(', ')}]` : v.map(answerText).join(', ');
  if (typeof v === 'number') return fmt(v);
  return String(v);
}
