/** A part's answer as the browser holds it (strings as typed), and what the API is sent. */

export type Part = PartShape;
export interface PartShape {
  id: string;
  label: string;
  type: 'number' | 'integer' | 'vector' | 'matrix' | 'choice';
  points: number;
  shape?: number[];
  choices?: string[];
  multiple?: boolean;
  tolerance?: unknown;
  toleranceText?: string;
}

export type AnswerValue = string | string[] | string[][];
export type Answers = Record<string, AnswerValue>;

export function gridShape(part: PartShape): [number, number] {
  if (part.type === 'vector') return [1, part.shape?.[0] ?? 1];
  return [part.shape?.[0] ?? 1, part.shape?.[1] ?? 1];
}

export function emptyAnswer(part: PartShape): AnswerValue {
  if (part.type === 'vector') return Array.from({ length: gridShape(part)[1] }, () => '');
  if (part.type === 'matrix') {
    const [r, c] = gridShape(part);
    return Array.from({ length: r }, () => Array.from({ length: c }, () => ''));
  }
  if (part.type === 'choice' && part.multiple) return [];
  return '';
}

/** Whether nothing was entered (a grid with any cell filled counts as answered). */
export function isBlank(v: AnswerValue | undefined): boolean {
  if (v === undefined) return true;
  if (typeof v === 'string') return v.trim() === '';
  return (v as (string | string[])[]).every((x) => (Array.isArray(x) ? x.every((c) => c.trim() === '') : x.trim() === ''));
}

/** An answer the server stored (numbers or strings, maybe nested) back to strings for the inputs. */
export function fromStored(part: PartShape, v: unknown): AnswerValue {
  const s = (x: unknown) => (typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : '');
  if (part.type === 'matrix' && Array.isArray(v)) return v.map((row) => (Array.isArray(row) ? row.map(s) : [s(row)]));
  if ((part.type === 'vector' || (part.type === 'choice' && part.multiple)) && Array.isArray(v)) return v.map(s);
  if (part.type === 'choice' && part.multiple) return v === undefined || v === null || v === '' ? [] : [s(v)];
  return s(v);
}

/** The answers to send: blank parts left out, so the server reports them missing, not malformed. */
export function toRequest(answers: Answers): Record<string, string | string[] | string[][]> {
  const out: Record<string, AnswerValue> = {};
  for (const [id, v] of Object.entries(answers)) if (!isBlank(v)) out[id] = v;
  return out;
}

/** Text pasted into a grid cell: rows by line, cells by tab, comma, semicolon or spaces. */
export function parsePasted(text: string): string[][] {
  return text
    .trim()
    .split(/\r?\n/)
    .map((line) =>
      line
        .trim()
        .replace(/^[[(]|[\])]$/g, '')
        .split(/[\t,;]+|\s+/)
        .filter((c) => c !== ''),
    )
    .filter((r) => r.length > 0);
}
