/**
 * How values appear in prompts and solutions: short, exact where the value is exact, and
 * stable across machines (toPrecision is specified by ECMAScript, not by the platform).
 */

/** A number with at most `digits` significant digits and no trailing zeros: 0.1+0.2 → "0.3". */
export function formatNumber(x: number, digits = 6): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return Object.is(x, -0) ? '0' : String(x);
  // Most values are short decimals (0.25, -1.3): their shortest text already fits, and
  // toPrecision is comparatively slow.
  const short = String(x);
  if (short.length <= digits + 2 && !short.includes('e') && significantDigits(short) <= digits) return short;
  const s = Number(x.toPrecision(digits));
  return Object.is(s, -0) ? '0' : String(s);
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

/** A matrix (or a vector as a column) as a LaTeX bmatrix. */
export function texMatrix(rows: unknown[][], digits = 6): string {
  const body = rows.map((r) => r.map((v) => formatValue(v, digits)).join(' & ')).join(' \\\\ ');
  return `\\begin{bmatrix} ${body} \\end{bmatrix}`;
}

/** Any expression value as prompt text: vectors as [a, b], matrices as a bmatrix. */
export function formatValue(v: unknown, digits = 6): string {
  if (typeof v === 'number') return formatNumber(v, digits);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every(Array.isArray)) return texMatrix(v as unknown[][], digits);
    return `[${v.map((e) => formatValue(e, digits)).join(', ')}]`;
  }
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'valueOf' in v) {
    const prim = (v as { valueOf(): unknown }).valueOf();
    if (prim !== v) return formatValue(prim, digits);
  }
  return JSON.stringify(v);
}
