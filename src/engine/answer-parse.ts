/**
 * Student answers are parsed as numbers, never evaluated: a decimal, scientific notation or a
 * fraction of two decimals. Anything else is a format error that the grader reports without
 * cost. Lists accept JSON arrays or the forms people type (`1, 2, 3`, `[1 2 3]`, `1 2; 3 4`).
 */

export interface ParsedNumber {
  value: number;
  /** Significant digits the student wrote (for "insufficient precision" hints); Infinity for fractions. */
  sigDigits: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const MAX_NUMBER_TEXT = 64;
const MAX_LIST_TEXT = 20_000;
const MAX_ELEMENTS = 2_500;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const FRACTION = /^([+-]?(?:\d+\.?\d*|\.\d+))\s*\/\s*([+-]?(?:\d+\.?\d*|\.\d+))$/;

function countSigDigits(text: string): number {
  const mantissa = text.replace(/^[+-]/, '').split(/[eE]/)[0] ?? '';
  const digits = mantissa.replace('.', '').replace(/^0+/, '');
  // "1200" is ambiguous; count its trailing zeros as significant, the generous reading.
  return Math.max(digits.length, 1);
}

/** parseNumber("3/4") → 0.75; accepts finite JSON numbers too. */
export function parseNumber(raw: unknown): Parsed<ParsedNumber> {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return { ok: false, error: 'not a finite number' };
    return { ok: true, value: { value: raw, sigDigits: countSigDigits(String(raw)) } };
  }
  if (typeof raw !== 'string') return { ok: false, error: 'expected a number' };
  if (raw.length > MAX_NUMBER_TEXT) return { ok: false, error: `a number has at most ${MAX_NUMBER_TEXT} characters` };
  const text = raw.trim().replace(/[\u2212\u2013]/g, '-');
  if (text === '') return { ok: false, error: 'empty answer' };
  if (DECIMAL.test(text)) {
    const value = Number(text);
    if (!Number.isFinite(value)) return { ok: false, error: `"${text}" is too large` };
    return { ok: true, value: { value: value === 0 ? 0 : value, sigDigits: countSigDigits(text) } };
  }
  const frac = FRACTION.exec(text);
  if (frac) {
    const num = Number(frac[1]);
    const den = Number(frac[2]);
    if (den === 0) return { ok: false, error: 'division by zero' };
    const value = num / den;
    if (!Number.isFinite(value)) return { ok: false, error: `"${text}" is too large` };
    return { ok: true, value: { value: value === 0 ? 0 : value, sigDigits: Infinity } };
  }
  return { ok: false, error: `"${text.slice(0, 30)}" is not a number (use decimals like 0.25, 2.5e-3, or a fraction like 3/4)` };
}

/** parseInteger("12") → 12; an integer-valued number such as "3.0" is accepted. */
export function parseInteger(raw: unknown): Parsed<number> {
  const p = parseNumber(raw);
  if (!p.ok) return p;
  const v = p.value.value;
  if (!Number.isSafeInteger(v)) return { ok: false, error: 'expected a whole number' };
  return { ok: true, value: v };
}

function splitList(text: string): string[] {
  const inner = text.trim().replace(/^\[/, '').replace(/\]$/, '').trim();
  if (inner === '') return [];
  return inner.split(inner.includes(',') ? /\s*,\s*/ : /\s+/);
}

/** parseVector("[1, 2, 3]", 3) → [1, 2, 3] with per-element digits. */
export function parseVector(raw: unknown, length: number): Parsed<ParsedNumber[]> {
  let items: unknown[];
  if (Array.isArray(raw)) items = raw;
  else if (typeof raw === 'string') {
    if (raw.length > MAX_LIST_TEXT) return { ok: false, error: 'answer too long' };
    items = splitList(raw);
  } else return { ok: false, error: 'expected a list of numbers' };
  if (items.length > MAX_ELEMENTS) return { ok: false, error: 'too many entries' };
  if (items.length !== length) return { ok: false, error: `expected ${length} entries, got ${items.length}` };
  const out: ParsedNumber[] = [];
  for (let i = 0; i < items.length; i++) {
    const p = parseNumber(items[i]);
    if (!p.ok) return { ok: false, error: `entry ${i + 1}: ${p.error}` };
    out.push(p.value);
  }
  return { ok: true, value: out };
}

function splitRows(text: string): string[] {
  const t = text.trim();
  if (t.startsWith('[[') || /^\[\s*\[/.test(t)) {
    return t
      .replace(/^\[\s*/, '')
      .replace(/\s*\]$/, '')
      .split(/\]\s*,?\s*\[/)
      .map((r) => r.replace(/[[\]]/g, ''));
  }
  return t
    .replace(/^\[/, '')
    .replace(/\]$/, '')
    .split(/\s*;\s*|\n/)
    .filter((r) => r.trim() !== '');
}

/** parseMatrix("1 2; 3 4", [2, 2]) → [[1, 2], [3, 4]]. */
export function parseMatrix(raw: unknown, rows: number, cols: number): Parsed<ParsedNumber[][]> {
  let items: unknown[];
  if (Array.isArray(raw)) items = raw;
  else if (typeof raw === 'string') {
    if (raw.length > MAX_LIST_TEXT) return { ok: false, error: 'answer too long' };
    items = splitRows(raw);
  } else return { ok: false, error: 'expected rows of numbers' };
  if (items.length !== rows) return { ok: false, error: `expected ${rows} rows, got ${items.length}` };
  const out: ParsedNumber[][] = [];
  for (let i = 0; i < rows; i++) {
    const r = parseVector(items[i], cols);
    if (!r.ok) return { ok: false, error: `row ${i + 1}: ${r.error}` };
    out.push(r.value);
  }
  return { ok: true, value: out };
}

/** parseChoice("tanh", choices) / parseChoice(["tanh", "sigmoid"], choices, true). */
export function parseChoice(raw: unknown, choices: readonly string[], multiple: boolean): Parsed<string[]> {
  let items: unknown[];
  if (Array.isArray(raw)) items = raw;
  else if (typeof raw === 'string') items = multiple ? (raw.trim() === '' ? [] : raw.split(',')) : [raw];
  else return { ok: false, error: 'expected one of the choices' };
  if (items.length > choices.length) return { ok: false, error: 'more selections than choices' };
  if (!multiple && items.length !== 1) return { ok: false, error: 'select exactly one choice' };
  const out = new Set<string>();
  for (const item of items) {
    const s = typeof item === 'string' ? item.trim() : '';
    if (!choices.includes(s)) return { ok: false, error: `"${String(item).slice(0, 40)}" is not one of the choices` };
    out.add(s);
  }
  return { ok: true, value: [...out] };
}
