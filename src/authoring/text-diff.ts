/**
 * A line diff of two texts (longest common subsequence), as a unified diff with context, for
 * comparing two versions of a template. Templates are short (hundreds of lines), so the
 * quadratic table is small; texts beyond MAX_LINES are compared in full only up to it.
 */
export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
  /** 1-based line numbers in the old and the new text (absent on the side it is not in). */
  oldLine?: number;
  newLine?: number;
}

const MAX_LINES = 3000;

/** diffLines(a, b): every line of both texts, marked kept, removed or added, in order. */
export function diffLines(a: string, b: string): DiffLine[] {
  const x = a.split('\n').slice(0, MAX_LINES);
  const y = b.split('\n').slice(0, MAX_LINES);
  const n = x.length;
  const m = y.length;
  // lcs[i][j]: the length of the longest common subsequence of x[i..] and y[j..].
  const lcs = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      out.push({ op: ' ', text: x[i], oldLine: i + 1, newLine: j + 1 });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out.push({ op: '+', text: y[j], newLine: j + 1 });
      j++;
    } else {
      out.push({ op: '-', text: x[i], oldLine: i + 1 });
      i++;
    }
  }
  return out;
}

/** unifiedDiff(a, b, labels, context): the changes as `diff -u` prints them ('' when equal). */
export function unifiedDiff(a: string, b: string, labels: [string, string], context = 3): string {
  const lines = diffLines(a, b);
  const changed = lines.map((l, k) => (l.op !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (!changed.length) return '';
  const out = [`--- ${labels[0]}`, `+++ ${labels[1]}`];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k] - context);
    let end = Math.min(lines.length - 1, changed[k] + context);
    while (k + 1 < changed.length && changed[k + 1] - context <= end + 1) end = Math.min(lines.length - 1, changed[++k] + context);
    k++;
    const hunk = lines.slice(start, end + 1);
    const oldStart = hunk.find((l) => l.oldLine)?.oldLine ?? 0;
    const newStart = hunk.find((l) => l.newLine)?.newLine ?? 0;
    const oldCount = hunk.filter((l) => l.op !== '+').length;
    const newCount = hunk.filter((l) => l.op !== '-').length;
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`, ...hunk.map((l) => `${l.op}${l.text}`));
  }
  return out.join('\n') + '\n';
}
