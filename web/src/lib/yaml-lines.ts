/**
 * Where a template issue sits in its YAML text. The API gives an issue its `line` when it
 * knows it (YAML syntax errors today; every issue once the sandboxed validator reports them);
 * otherwise the issue names a path ("answers", 0, "expr"), and this finds the line of that
 * field in the text the issue was found in. Used by the template editor only (a lazy chunk).
 */
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';

export type IssuePath = readonly (string | number)[];

export interface Position {
  /** 1-based, as the API counts. */
  line: number;
  column: number;
}

/** The 1-based line and column of a character offset. */
export function positionOf(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** The character offset of a 1-based line and column (clamped to the text). */
export function offsetOf(text: string, line: number, column = 1): number {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) return text.length;
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  const lineEnd = end === -1 ? text.length : end;
  return Math.min(start + Math.max(0, column - 1), lineEnd);
}

/**
 * "Unrecognized key: \"bogus\"" names a field the path does not reach (the path is the
 * mapping holding it); the first key named is the place to point at.
 */
function unknownKey(message: string | undefined): string | undefined {
  const m = message ? /^Unrecognized keys?: "([^"]+)"/.exec(message) : null;
  return m?.[1];
}

/**
 * The position of the field a path names: a mapping entry's key (so `expr: "…"` is found at
 * `expr`), a list item's first character. As far as the path resolves: a path into a field
 * that is missing points at the deepest part that exists. Undefined for an empty path or text
 * that does not parse.
 */
export function positionOfPath(text: string, path: IssuePath, message?: string): Position | undefined {
  let doc;
  try {
    doc = parseDocument(text, { keepSourceTokens: false, prettyErrors: false });
  } catch {
    return undefined;
  }
  if (doc.errors.length) return undefined;
  const steps = [...path];
  const extra = unknownKey(message);
  if (extra !== undefined) steps.push(extra);
  let node: Node | null | undefined = doc.contents;
  let at: number | undefined;
  for (const step of steps) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) break;
      const key = pair.key as Node;
      at = key.range?.[0] ?? at;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step] as Node | undefined;
      if (!item) break;
      at = item.range?.[0] ?? at;
      node = item;
    } else break;
  }
  return at === undefined ? undefined : positionOf(text, at);
}
