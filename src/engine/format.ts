/**
 * How values appear in prompts and solutions: short, exact where the value is exact, written as
 * a person would write them, and stable across machines (toPrecision and toExponential are
 * specified by ECMAScript, not by the platform).
 *
 * - At most 6 significant digits (or `digits`), no trailing zeros: 0.1 + 0.2 → 0.3; −0 → 0.
 * - Very small and very large numbers in scientific notation, in the notation of where they
 *   stand: `9.87 \times 10^{-7}` inside LaTeX math, `9.87 × 10⁻⁷` in text, `9.87e-7` in code
 *   (and wherever the context is unknown: messages, the CLI).
 * - An entry of a vector or matrix that is rounding noise next to the others ([1, −1.1e−16]) is 0:
 *   entries are rounded to 12 significant digits relative to the largest one.
 */

/** Where a value is written: inside LaTeX math ($…$, $$…$$), in Markdown text, or in code (and plain messages). */
export type TextContext = 'math' | 'text' | 'code';

/** Below this magnitude, and from this one up, a number is written in scientific notation. */
const SMALL = 1e-4;
const LARGE = 1e15;

/** An entry smaller than this share of the largest entry of its vector or matrix is noise: 0 (12 significant digits). */
export const RELATIVE_NOISE = 1e-12;

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  '+': '⁺',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/** A mantissa and exponent ("9.87", "-7") in the notation of `context`. */
function scientific(mantissa: string, exponent: string, context: TextContext): string {
  const exp = exponent.replace(/^\+/, '');
  if (context === 'code') return `${mantissa}e${exp}`;
  // 1 × 10^k is written 10^k, as a person would.
  const lead = mantissa === '1' ? '' : mantissa === '-1' ? '-' : undefined;
  if (context === 'math') return lead === undefined ? `${mantissa} \\times 10^{${exp}}` : `${lead}10^{${exp}}`;
  const sup = [...exp].map((c) => SUPERSCRIPT[c] ?? c).join('');
  return lead === undefined ? `${mantissa} × 10${sup}` : `${lead}10${sup}`;
}

/** A number with at most `digits` significant digits and no trailing zeros: 0.1+0.2 → "0.3", 9.87e-7 → "9.87 \times 10^{-7}" in math. */
export function formatNumber(x: number, digits = 6, context: TextContext = 'code'): string {
  if (!Number.isFinite(x)) return String(x);
  const ax = Math.abs(x);
  if (Number.isInteger(x) && ax < LARGE) return x === 0 ? '0' : String(x);
  // Most values are short decimals (0.25, -1.3): their shortest text already fits, and
  // toPrecision is comparatively slow.
  const short = String(x);
  if (short.length <= digits + 2 && ax >= SMALL && !short.includes('e') && significantDigits(short) <= digits) return short;
  const rounded = Number(x.toPrecision(digits));
  if (rounded === 0) return '0';
  const ar = Math.abs(rounded);
  if (ar >= SMALL && ar < LARGE) return String(rounded);
  const [mantissa, exponent] = rounded.toExponential(digits - 1).split('e');
  return scientific(trimZeros(mantissa), exponent, context);
}

function trimZeros(mantissa: string): string {
  return mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
}

function significantDigits(text: string): number {
  let n = 0;
  let leading = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    if (leading && c === 48) continue;
    leading = false;
    n++;
  }
  return n;
}

/** Numbers in JavaScript's exponent notation (1.5e-7) in a text, e.g. one that fmt() made. */
const EXPONENT_NOTATION = /(?<![\w.])(-?\d+(?:\.\d+)?)e([+-]?\d+)(?![\w.])/g;

/**
 * A string placed in `context`: numbers written in exponent notation (by fmt, tex, term …, which
 * cannot know where they will stand) are rewritten in that context's notation.
 */
export function placeText(s: string, context: TextContext): string {
  if (context === 'code' || !s.includes('e')) return s;
  return s.replace(EXPONENT_NOTATION, (_, m: string, e: string) => scientific(trimZeros(m), e, context));
}

/** The largest magnitude among the numbers of a nested list (0 if none). */
function largest(v: unknown[]): number {
  let m = 0;
  for (const e of v) {
    const a = Array.isArray(e) ? largest(e) : typeof e === 'number' && Number.isFinite(e) ? Math.abs(e) : 0;
    if (a > m) m = a;
  }
  return m;
}

/** A number among entries as large as `scale`: 0 when it is rounding noise next to them. */
function entry(v: unknown, scale: number): unknown {
  return typeof v === 'number' && Math.abs(v) < RELATIVE_NOISE * scale ? 0 : v;
}

function matrixBody(rows: unknown[][], digits: number, scale: number): string {
  return rows.map((r) => r.map((v) => formatEntry(v, digits, scale)).join(' & ')).join(' \\\\ ');
}

function formatEntry(v: unknown, digits: number, scale: number): string {
  return formatValue(entry(v, scale), digits, 'math');
}

/** A matrix (or a vector as a column) as a LaTeX bmatrix. */
export function texMatrix(rows: unknown[][], digits = 6): string {
  return `\\begin{bmatrix} ${matrixBody(rows, digits, largest(rows))} \\end{bmatrix}`;
}

/** Any expression value as prompt text: vectors as [a, b], matrices as a bmatrix, a list of strings as "a, b". */
export function formatValue(v: unknown, digits = 6, context: TextContext = 'code'): string {
  if (typeof v === 'number') return formatNumber(v, digits, context);
  if (typeof v === 'string') return placeText(v, context);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every(Array.isArray)) return texMatrix(v as unknown[][], digits);
    if (v.length > 0 && v.every((e) => typeof e === 'string')) return v.map((e) => placeText(e, context)).join(', ');
    const scale = largest(v);
    return `[${v.map((e) => formatValue(entry(e, scale), digits, context)).join(', ')}]`;
  }
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'valueOf' in v) {
    const prim = (v as { valueOf(): unknown }).valueOf();
    if (prim !== v) return formatValue(prim, digits, context);
  }
  return JSON.stringify(v);
}

/**
 * The context of each `{{ }}` placeholder (given by its start and end) in a Markdown text: in a
 * fenced code block or a code span, in math, or in text. Math is read as the web app's renderer
 * (web/src/lib/markdown.ts) reads it: $$…$$, or $…$ where the opening $ is not followed by a space
 * and the closing one neither follows a space nor precedes a digit; a blank line ends a paragraph.
 * A placeholder counts as a non-space character; the placeholders' own text is skipped.
 */
export function placeholderContexts(text: string, placeholders: readonly { start: number; end: number }[]): TextContext[] {
  const out: TextContext[] = [];
  let next = 0;
  let fence = false;
  let codeTicks = 0;
  let math: 0 | 1 | 2 = 0;
  let lineStart = true;
  let blankSoFar = true;
  const isSpace = (ch: string | undefined) => ch === undefined || ch === ' ' || ch === '\t' || ch === '\n';
  for (let i = 0; i < text.length && next < placeholders.length;) {
    if (i === placeholders[next].start) {
      out.push(fence || codeTicks > 0 ? 'code' : math > 0 ? 'math' : 'text');
      i = placeholders[next].end;
      next++;
      lineStart = false;
      blankSoFar = false;
      continue;
    }
    const c = text[i];
    if (c === '\n') {
      // A blank line ends the paragraph, and with it any inline math or code span left open.
      if (blankSoFar && !fence) {
        codeTicks = 0;
        if (math === 1) math = 0;
      }
      lineStart = true;
      blankSoFar = true;
      i++;
      continue;
    }
    if (lineStart && (c === ' ' || c === '\t')) {
      i++;
      continue;
    }
    if (lineStart && (text.startsWith('```', i) || text.startsWith('~~~', i)) && codeTicks === 0 && math === 0) {
      fence = !fence;
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
      continue;
    }
    lineStart = false;
    blankSoFar = false;
    if (fence) i++;
    else if (c === '\\') i += 2;
    else if (c === '`' && math === 0) {
      let n = 1;
      while (text[i + n] === '`') n++;
      if (codeTicks === 0) codeTicks = n;
      else if (codeTicks === n) codeTicks = 0;
      i += n;
    } else if (c === '$' && codeTicks === 0) {
      const starts = (at: number) => placeholders[next]?.start === at;
      if (math === 2) {
        if (text[i + 1] === '$') {
          math = 0;
          i += 2;
        } else i++;
      } else if (math === 1) {
        if (!isSpace(text[i - 1]) && !/\d/.test(text[i + 1] ?? '')) math = 0;
        i++;
      } else if (text[i + 1] === '$') {
        math = 2;
        i += 2;
      } else {
        if (!isSpace(text[i + 1]) || starts(i + 1)) math = 1;
        i++;
      }
    } else i++;
  }
  while (out.length < placeholders.length) out.push('text');
  return out;
}
