/**
 * validateTemplateSource(source): everything an editor needs to show an author what is wrong
 * with a template, and where — every problem at once rather than the first, each with its
 * field path and, for YAML text, the line and column it starts at.
 *
 * Unlike compileTemplate (which stops at the first bad expression), this checks every
 * expression on its own, samples the parameters to estimate how often the constraints accept a
 * draw, and instantiates a handful of seeds to catch answers that are not finite. It runs
 * untrusted templates, so it is meant to run inside the sandbox (src/sandbox), which bounds its
 * time and memory; its own loops are bounded too (samples, seeds and a time budget).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import {
  ALLOWED_FUNCTIONS,
  compileExpression,
  compileTemplate,
  ConstraintError,
  createRng,
  EngineError,
  ExpressionError,
  instantiate,
  templateHash,
  templateSchema,
  PROTO_NAME_MESSAGE,
  type CompiledTemplate,
  type Template,
} from '../engine/index.js';
import { drawMany, drawScalar } from '../engine/sample.js';

export type IssueCode =
  | 'YAML_SYNTAX'
  | 'TOO_DEEP'
  | 'TOO_LARGE'
  | 'SCHEMA'
  | 'RESERVED_NAME'
  | 'EXPRESSION_SYNTAX'
  | 'EXPRESSION_NOT_ALLOWED'
  | 'UNKNOWN_FUNCTION'
  | 'UNKNOWN_SYMBOL'
  | 'CONSTRAINTS_UNSATISFIABLE'
  | 'CONSTRAINTS_RARE'
  | 'ANSWER_NOT_FINITE'
  | 'EVALUATION_FAILED'
  | 'NOT_FINITE_TEXT'
  | 'MISTAKE_NEVER_APPLIES'
  | 'SLOW';

export interface Issue {
  /** Where in the template: `['answers', 1, 'expr']`; `[]` for the whole document. */
  path: (string | number)[];
  /** 1-based, in the YAML text (only when the source was text). */
  line?: number;
  column?: number;
  code: IssueCode;
  message: string;
}

export interface ValidationResult {
  ok: boolean;
  /** The validated template, defaults applied (when the schema accepted it). */
  template?: Template;
  hash?: string;
  errors: Issue[];
  warnings: Issue[];
}

export const VALIDATE_LIMITS = {
  /** Characters of YAML text, or of JSON for an object. */
  maxSourceLength: 256 * 1024,
  /** Nesting of the parsed object; a template needs about 8. */
  maxDepth: 32,
  /**
   * Nesting of `[`/`{` in YAML text, checked before parsing: the parser recurses per level (it
   * overflows the stack near 800) and slows down long before. Braces in prompts count too, hence
   * the margin.
   */
  maxFlowDepth: 100,
  /** Parameter draws to estimate the constraints' acceptance rate. */
  samples: 200,
  /** Seeds instantiated to check the answers evaluate (and are finite). */
  seeds: 8,
  /** Time budget (ms) for sampling; fewer samples are drawn if a draw is slow (at least 10, or 1 past 4× the budget). */
  sampleBudgetMs: 300,
  /** Below this estimated acceptance rate, the constraints are reported as rarely satisfiable. */
  rareBelow: 0.2,
  /** Time budget (ms) for instantiating seeds; at least one is always instantiated. */
  seedBudgetMs: 2000,
  /** A variant slower than this (ms) to instantiate is reported: variants are issued under a deadline (2 s by default). */
  slowVariantMs: 500,
} as const;

/** Names every object has. `__proto__` cannot be a key at all (assigning it sets the prototype); the others work but invite confusion. */
const RESERVED: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Parameter names and answer ids that are properties of every object, read from the raw template (the schema's record drops a `__proto__` key silently). */
function checkReservedNames(out: Collector, raw: unknown): void {
  if (!isRecord(raw)) return;
  const report = (name: string, path: Path, what: string): void => {
    if (name === '__proto__')
      out.add('error', 'RESERVED_NAME', path, `'__proto__' cannot be ${what}: it would set an object's prototype instead of a value`, 'key');
    else out.add('warning', 'RESERVED_NAME', path, `'${name}' is a property of every JavaScript object; choose another ${what.replace(/^an? /, '')}`, 'key');
  };
  if (isRecord(raw.params)) for (const name of Object.keys(raw.params)) if (RESERVED.has(name)) report(name, ['params', name], 'a parameter name');
  if (Array.isArray(raw.answers)) {
    raw.answers.forEach((a: unknown, i) => {
      if (isRecord(a) && typeof a.id === 'string' && RESERVED.has(a.id)) report(a.id, ['answers', i, 'id'], 'an answer id');
    });
  }
}

type Path = (string | number)[];

class Collector {
  readonly errors: Issue[] = [];
  readonly warnings: Issue[] = [];
  constructor(private readonly locate: (path: Path, offsetInValue?: number | 'key') => { line: number; column: number } | undefined) {}

  /** `offsetInValue`: a character of the scalar at `path` to point at; 'key': its key rather than its value. */
  add(kind: 'error' | 'warning', code: IssueCode, path: Path, message: string, offsetInValue?: number | 'key'): void {
    const issue: Issue = { path, code, message };
    const at = this.locate(path, offsetInValue);
    if (at) {
      issue.line = at.line;
      issue.column = at.column;
    }
    (kind === 'error' ? this.errors : this.warnings).push(issue);
  }
}

/** The largest nesting of `[`/`{` in YAML text outside quotes and comments, and where it first exceeds `max`. */
function flowDepthBeyond(text: string, max: number): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl;
    } else if (c === '"' || c === "'") {
      // Quotes open a scalar only at its start; an apostrophe inside a word (don't) is text.
      if (i === 0 || /[\s[{,:]/.test(text[i - 1])) quote = c;
    } else if (c === '[' || c === '{') {
      if (++depth > max) return i;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return undefined;
}

/** Depth and size of a parsed value, walked without recursion (so a hostile object cannot overflow the stack here). */
export function measureValue(value: unknown, maxDepth: number): { depth: number; nodes: number; chars: number; deepAt?: Path } {
  let nodes = 0;
  let chars = 0;
  let depth = 0;
  const stack: { v: unknown; d: number; path: Path }[] = [{ v: value, d: 0, path: [] }];
  while (stack.length > 0) {
    const { v, d, path } = stack.pop() as { v: unknown; d: number; path: Path };
    nodes++;
    if (d > depth) depth = d;
    if (d > maxDepth) return { depth, nodes, chars, deepAt: path };
    if (typeof v === 'string') chars += v.length;
    else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) stack.push({ v: v[i], d: d + 1, path: d < 8 ? [...path, i] : path });
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        chars += k.length;
        stack.push({ v: x, d: d + 1, path: d < 8 ? [...path, k] : path });
      }
    }
  }
  return { depth, nodes, chars };
}

/** The YAML node at `path`, or the deepest one on the way there. */
function nodeAt(doc: Document, path: Path): { node: YamlNode | undefined; exact: boolean; key?: YamlNode } {
  let node: YamlNode | null = doc.contents;
  let key: YamlNode | undefined;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === step);
      if (!pair) return { node, exact: false, key };
      key = isScalar(pair.key) ? pair.key : undefined;
      const next = pair.value as YamlNode | null;
      if (!next) return { node: key ?? node, exact: false };
      node = next;
    } else if (isSeq(node) && typeof step === 'number' && node.items[step]) {
      key = undefined;
      node = node.items[step] as YamlNode;
    } else {
      return { node: node ?? undefined, exact: false };
    }
  }
  return { node: node ?? undefined, exact: true, key };
}

/**
 * The source offset of character `i` of a scalar's value, where the scalar's style lets it be
 * computed exactly (plain and quoted one-liners without escapes, literal blocks); else its start.
 */
function offsetInScalar(text: string, node: YamlNode, i: number): number {
  const [start, end] = node.range ?? [0, 0];
  if (!isScalar(node)) return start;
  const raw = text.slice(start, end);
  switch (node.type) {
    case 'PLAIN':
      return raw.includes('\n') ? start : start + i;
    case 'QUOTE_SINGLE':
    case 'QUOTE_DOUBLE':
      return raw.includes('\n') || raw.includes('\\') || raw.slice(1, -1).includes("''") ? start : start + 1 + i;
    case 'BLOCK_LITERAL': {
      const value = typeof node.value === 'string' ? node.value : '';
      const before = value.slice(0, i).split('\n');
      const lineInValue = before.length - 1;
      const col = before[before.length - 1].length;
      const lines = raw.split('\n');
      const content = lines.slice(1);
      const indent = Math.min(...content.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
      let off = start + lines[0].length + 1;
      for (let k = 0; k < lineInValue && k < content.length; k++) off += content[k].length + 1;
      return off + (Number.isFinite(indent) ? indent : 0) + col;
    }
    // Folded blocks join lines: no exact position.
    case 'BLOCK_FOLDED':
    case undefined:
      return start;
  }
}

function locator(text: string | undefined, doc: Document | undefined, lc: LineCounter | undefined) {
  return (path: Path, offsetInValue?: number | 'key'): { line: number; column: number } | undefined => {
    if (text === undefined || !doc || !lc) return undefined;
    const { node, exact, key } = nodeAt(doc, path);
    if (!node?.range) return undefined;
    // A missing field is shown at its parent's key; an unknown field at its own key.
    const target = (!exact || offsetInValue === 'key') && key ? key : node;
    const offset = exact && typeof offsetInValue === 'number' ? offsetInScalar(text, node, offsetInValue) : (target.range?.[0] ?? 0);
    const pos = lc.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
}

/** `answers[1].expr` or `prompt (line 3, {{x}})` → ['answers', 1, 'expr'] / ['prompt']. */
export function parseEnginePath(path: string): Path {
  const base = path.replace(/\s*\(.*$/s, '');
  const out: Path = [];
  for (const m of base.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? ''));
  return out;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

function suggestion(name: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(name.length / 3)) ? ` (did you mean '${best}'?)` : '';
}

/** Where `name` first occurs as a whole word in `source`. */
function wordAt(source: string, name: string): number | undefined {
  const m = new RegExp(`(?<![A-Za-z0-9_.])${name.replace(/[^A-Za-z0-9_]/g, '')}(?![A-Za-z0-9_])`).exec(source);
  return m?.index;
}

/** Checks one expression; its issue (if any) is positioned inside the expression. */
function checkExpression(out: Collector, source: string, names: ReadonlySet<string>, path: Path, baseOffset = 0): boolean {
  try {
    compileExpression(source, names, path.join('.'));
    return true;
  } catch (err) {
    if (!(err instanceof ExpressionError)) throw err;
    const text = err.message.replace(`${path.join('.')}: `, '');
    const fn = /function '([^']+)' is not allowed/.exec(text)?.[1];
    const sym = /unknown name '([^']+)'/.exec(text)?.[1];
    if (fn !== undefined) {
      const hint = ALLOWED_FUNCTIONS.has(fn) ? '' : suggestion(fn, ALLOWED_FUNCTIONS);
      out.add('error', 'UNKNOWN_FUNCTION', path, `${text}${hint}`, baseOffset + (wordAt(source, fn) ?? 0));
    } else if (sym !== undefined) {
      out.add('error', 'UNKNOWN_SYMBOL', path, `${text}${suggestion(sym, names)}`, baseOffset + (wordAt(source, sym) ?? 0));
    } else if (/^cannot parse/.test(text)) {
      // mathjs reports 1-based character positions.
      const pos = err.position !== undefined ? Math.max(0, Math.min(source.length, err.position - 1)) : 0;
      out.add('error', 'EXPRESSION_SYNTAX', path, text, baseOffset + pos);
    } else {
      out.add('error', 'EXPRESSION_NOT_ALLOWED', path, text, baseOffset);
    }
    return false;
  }
}

const PLACEHOLDER = /\{\{([\s\S]*?)\}\}/g;

function checkPieces(out: Collector, text: string, names: ReadonlySet<string>, path: Path): boolean {
  let ok = true;
  for (const m of text.matchAll(PLACEHOLDER)) {
    const inner = m[1] ?? '';
    const lead = inner.length - inner.trimStart().length;
    ok = checkExpression(out, inner.trim(), names, path, (m.index ?? 0) + 2 + lead) && ok;
  }
  return ok;
}

/** The parts of a template that hold expressions and names: a Template, or what can be read of an invalid one. */
interface ExpressionFields {
  params: Record<string, { type: string; expr?: string; length?: number | string; rows?: number | string; cols?: number | string }>;
  constraints: (string | { expr: string })[];
  prompt: string;
  answers: { id: string; expr: string; label: string; choices?: unknown[] }[];
  solution: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The expression fields of a template the schema rejected, where they have the right type (others are left out). */
function looseFields(raw: unknown): ExpressionFields | undefined {
  if (!isRecord(raw)) return undefined;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const size = (v: unknown): number | string | undefined => (typeof v === 'number' || typeof v === 'string' ? v : undefined);
  const params: ExpressionFields['params'] = {};
  if (isRecord(raw.params)) {
    for (const [name, spec] of Object.entries(raw.params)) {
      if (!isRecord(spec) || typeof spec.type !== 'string') continue;
      const p: ExpressionFields['params'][string] = { type: spec.type };
      if (spec.type === 'derived' && typeof spec.expr === 'string') p.expr = spec.expr;
      if (size(spec.length) !== undefined) p.length = size(spec.length);
      if (size(spec.rows) !== undefined) p.rows = size(spec.rows);
      if (size(spec.cols) !== undefined) p.cols = size(spec.cols);
      params[name] = p;
    }
  }
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  return {
    params,
    // Entries of the wrong type become empty strings, which are skipped, so indexes stay right.
    constraints: list(raw.constraints).map((c) => str(c) ?? (isRecord(c) && typeof c.expr === 'string' ? { expr: c.expr } : '')),
    prompt: str(raw.prompt) ?? '',
    answers: list(raw.answers).map((a) =>
      isRecord(a)
        ? { id: str(a.id) ?? '', expr: str(a.expr) ?? '', label: str(a.label) ?? '', choices: Array.isArray(a.choices) ? a.choices : undefined }
        : { id: '', expr: '', label: '' },
    ),
    solution: str(raw.solution) ?? '',
  };
}

/** Every expression, checked with the names visible to it (as compileTemplate scopes them). Empty ones are the schema's business. */
function checkExpressions(out: Collector, t: ExpressionFields): boolean {
  let ok = true;
  const names = new Set<string>();
  for (const [name, spec] of Object.entries(t.params)) {
    if (spec.type === 'derived' && spec.expr) ok = checkExpression(out, spec.expr, names, ['params', name, 'expr']) && ok;
    if (spec.type === 'vector' || spec.type === 'matrix') {
      const sizes: [string, number | string | undefined][] =
        spec.type === 'vector'
          ? [['length', spec.length]]
          : [
              ['rows', spec.rows],
              ['cols', spec.cols],
            ];
      for (const [field, s] of sizes) {
        if (typeof s === 'string' && (!names.has(s) || t.params[s]?.type !== 'int')) {
          out.add('error', 'UNKNOWN_SYMBOL', ['params', name, field], `'${s}' must be an earlier int parameter`);
          ok = false;
        }
      }
    }
    names.add(name);
  }
  t.constraints.forEach((c, i) => {
    const src = typeof c === 'string' ? c : c.expr;
    if (src) ok = checkExpression(out, src, names, typeof c === 'string' ? ['constraints', i] : ['constraints', i, 'expr']) && ok;
  });
  ok = checkPieces(out, t.prompt, names, ['prompt']) && ok;
  const paramNames = new Set(names);
  t.answers.forEach((a, i) => {
    if (a.expr) ok = checkExpression(out, a.expr, names, ['answers', i, 'expr']) && ok;
    if (a.id) names.add(a.id);
    ok = checkPieces(out, a.label, paramNames, ['answers', i, 'label']) && ok;
    // Options are shown to students, like labels: their placeholders see the parameters only.
    a.choices?.forEach((c, k) => {
      if (typeof c === 'string') ok = checkPieces(out, c, paramNames, ['answers', i, 'choices', k]) && ok;
    });
  });
  return checkPieces(out, t.solution, names, ['solution']) && ok;
}

function drawParams(ct: CompiledTemplate, seed: number): Map<string, unknown> {
  const rng = createRng(seed);
  const scope = new Map<string, unknown>();
  const size = (s: number | string): number => (typeof s === 'number' ? s : Number(scope.get(s)));
  for (const p of ct.params) {
    const spec = p.spec;
    let v: unknown;
    if (spec.type === 'int' || spec.type === 'real' || spec.type === 'choice') v = drawScalar(spec, rng);
    else if (spec.type === 'vector') v = drawMany(spec.of, Math.max(1, Math.min(100, size(spec.length))), spec.distinct, rng);
    else if (spec.type === 'matrix') {
      const r = Math.max(1, Math.min(100, size(spec.rows)));
      const c = Math.max(1, Math.min(100, size(spec.cols)));
      const flat = drawMany(spec.of, r * c, spec.distinct, rng);
      v = Array.from({ length: r }, (_, i) => flat.slice(i * c, (i + 1) * c));
    } else v = p.expr?.evaluate(scope);
    scope.set(p.name, v);
  }
  return scope;
}

function engineIssuePath(err: unknown): Path {
  return err instanceof EngineError && err.path ? parseEnginePath(err.path) : [];
}

function messageOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return err instanceof EngineError && err.path ? msg.replace(`${err.path}: `, '') : msg;
}

/** Estimates how often a draw satisfies the constraints, by drawing parameters from many seeds. */
function checkConstraints(out: Collector, ct: CompiledTemplate): void {
  if (ct.constraints.length === 0) return;
  const rejectedBy = new Array<number>(ct.constraints.length).fill(0);
  let accepted = 0;
  let drawn = 0;
  let firstError: unknown;
  const started = performance.now();
  // Seeds far from the ones authors preview, so the estimate is not tuned to them.
  for (let s = 0; s < VALIDATE_LIMITS.samples; s++) {
    // At least 10 draws within the budget, at least one within four times it (a slow template gets a rough estimate).
    const elapsed = performance.now() - started;
    if (s > 0 && elapsed > (s >= 10 ? 1 : 4) * VALIDATE_LIMITS.sampleBudgetMs) break;
    drawn++;
    let scope: Map<string, unknown>;
    try {
      scope = drawParams(ct, 0x5eed0000 + s * 7919);
    } catch (err) {
      firstError ??= err;
      continue;
    }
    let pass = true;
    for (let i = 0; i < ct.constraints.length; i++) {
      let v: unknown;
      try {
        v = ct.constraints[i].expr.evaluate(scope);
      } catch (err) {
        firstError ??= err;
        v = false;
      }
      if (v !== true) {
        rejectedBy[i]++;
        pass = false;
        break;
      }
    }
    if (pass) accepted++;
  }
  if (firstError !== undefined && accepted === 0) {
    out.add('error', 'EVALUATION_FAILED', engineIssuePath(firstError), messageOf(firstError));
    return;
  }
  const worst = rejectedBy.indexOf(Math.max(...rejectedBy));
  const c = ct.template.constraints[worst];
  const path: Path = typeof c === 'string' ? ['constraints', worst] : ['constraints', worst, 'expr'];
  const rate = accepted / drawn;
  const who = `constraints[${worst}] ("${ct.constraints[worst]?.label ?? ''}") rejected ${rejectedBy[worst]} of them`;
  if (accepted === 0) {
    out.add('error', 'CONSTRAINTS_UNSATISFIABLE', path, `no draw of ${drawn} sampled satisfied the constraints; ${who}`);
  } else if (rate < VALIDATE_LIMITS.rareBelow) {
    const failShare = (1 - rate) ** ct.template.maxTries;
    const fails =
      failShare >= 1e-9
        ? `; about ${failShare < 1e-3 ? failShare.toExponential(1) : failShare.toFixed(3)} of variants would exhaust maxTries ${ct.template.maxTries}`
        : '';
    out.add('warning', 'CONSTRAINTS_RARE', path, `only ${(100 * rate).toFixed(1)} % of ${drawn} sampled draws satisfy the constraints (${who})${fails}`);
  }
}

/** Instantiates a few seeds: every answer must evaluate to a value of its type (finite numbers). */
function checkSeeds(out: Collector, ct: CompiledTemplate, unsatisfiable: boolean): void {
  const seen = new Set<string>();
  const started = performance.now();
  let slowest = 0;
  let instantiated = 0;
  // "answer/mistake" of every mistake some variant kept (one that fails or equals the answer is left out).
  const kept = new Set<string>();
  for (let seed = 1; seed <= VALIDATE_LIMITS.seeds; seed++) {
    if (seed > 1 && performance.now() - started > VALIDATE_LIMITS.seedBudgetMs) break;
    try {
      const t0 = performance.now();
      const v = instantiate(ct, seed);
      slowest = Math.max(slowest, performance.now() - t0);
      instantiated++;
      for (const part of v.secret.parts) for (const m of part.mistakes ?? []) kept.add(`${part.id}/${m.id}`);
      for (const [field, text] of [
        ['prompt', v.public.prompt],
        ['solution', v.secret.solution],
      ] as const) {
        if (
          /\b(NaN|-?Infinity)\b/.test(text) &&
          !/\b(NaN|Infinity)\b/.test(field === 'prompt' ? ct.template.prompt : ct.template.solution) &&
          !seen.has(field)
        ) {
          seen.add(field);
          out.add('warning', 'NOT_FINITE_TEXT', [field], `the ${field} shows NaN or Infinity for seed ${seed}`);
        }
      }
    } catch (err) {
      if (err instanceof ConstraintError && unsatisfiable) return;
      const path = engineIssuePath(err);
      const key = path.join('.');
      if (seen.has(key)) continue;
      seen.add(key);
      const msg = messageOf(err);
      // A seed whose draws all failed: the constraints pass too rarely for maxTries.
      const code: IssueCode =
        err instanceof ConstraintError
          ? 'CONSTRAINTS_UNSATISFIABLE'
          : /expected (a finite number|an integer|a non-empty vector of finite|a rectangular matrix of finite)/.test(msg)
            ? 'ANSWER_NOT_FINITE'
            : 'EVALUATION_FAILED';
      out.add('error', code, path, `seed ${seed}: ${msg}`);
    }
  }
  if (instantiated > 0) {
    ct.template.answers.forEach((a, i) =>
      a.mistakes?.forEach((m, j) => {
        if (kept.has(`${a.id}/${m.id}`)) return;
        out.add(
          'warning',
          'MISTAKE_NEVER_APPLIES',
          ['answers', i, 'mistakes', j, 'expr'],
          `mistake '${m.id}' applied to none of ${instantiated} sampled variants: its value failed, was not a${a.type === 'integer' ? 'n integer' : ` ${a.type}`} like the answer, or equalled the correct answer`,
        );
      }),
    );
  }
  if (slowest > VALIDATE_LIMITS.slowVariantMs) {
    out.add('warning', 'SLOW', [], `a variant takes up to ${Math.round(slowest)} ms to instantiate; variants are issued under a deadline of a few seconds`);
  }
}

function result(out: Collector, template?: Template, hash?: string): ValidationResult {
  const r: ValidationResult = { ok: out.errors.length === 0, errors: out.errors, warnings: out.warnings };
  if (template) r.template = template;
  if (hash) r.hash = hash;
  return r;
}

/**
 * validateTemplateSource(source): YAML text or an already parsed object (an API body).
 * Example: validateTemplateSource(readFileSync('problems/cnn/conv-output-size.yaml', 'utf8')).ok.
 */
export function validateTemplateSource(source: string | object): ValidationResult {
  let raw: unknown = source;
  let doc: Document | undefined;
  let lc: LineCounter | undefined;
  const text = typeof source === 'string' ? source : undefined;
  if (text !== undefined) {
    const early = new Collector(locator(text, undefined, undefined));
    if (text.length > VALIDATE_LIMITS.maxSourceLength) {
      early.add('error', 'TOO_LARGE', [], `the source is ${text.length} characters; at most ${VALIDATE_LIMITS.maxSourceLength}`);
      return result(early);
    }
    const deep = flowDepthBeyond(text, VALIDATE_LIMITS.maxFlowDepth);
    if (deep !== undefined) {
      const line = text.slice(0, deep).split('\n').length;
      const column = deep - text.lastIndexOf('\n', deep - 1);
      early.errors.push({ path: [], line, column, code: 'TOO_DEEP', message: `collections nest deeper than ${VALIDATE_LIMITS.maxFlowDepth} levels` });
      return result(early);
    }
    lc = new LineCounter();
    doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
    const yamlIssues = new Collector(locator(text, doc, lc));
    for (const e of doc.errors) {
      const first = e.message.split('\n')[0];
      const code: IssueCode = /Maximum call stack/.test(first) ? 'TOO_DEEP' : 'YAML_SYNTAX';
      const pos = lc.linePos(e.pos[0]);
      yamlIssues.errors.push({ path: [], line: pos.line, column: pos.col, code, message: first.replace(/ at line \d+, column \d+:?$/, '') });
    }
    if (yamlIssues.errors.length > 0) return result(yamlIssues);
    try {
      raw = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      yamlIssues.add('error', 'YAML_SYNTAX', [], err instanceof Error ? err.message : String(err));
      return result(yamlIssues);
    }
  }
  const out = new Collector(locator(text, doc, lc));
  const size = measureValue(raw, VALIDATE_LIMITS.maxDepth);
  if (size.deepAt) {
    out.add('error', 'TOO_DEEP', size.deepAt, `the template nests deeper than ${VALIDATE_LIMITS.maxDepth} levels`);
    return result(out);
  }
  if (text === undefined && size.chars > VALIDATE_LIMITS.maxSourceLength) {
    out.add('error', 'TOO_LARGE', [], `the template holds ${size.chars} characters of text; at most ${VALIDATE_LIMITS.maxSourceLength}`);
    return result(out);
  }

  checkReservedNames(out, raw);
  const parsed = templateSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
      // Reported above as RESERVED_NAME, with the same words.
      if (issue.message === PROTO_NAME_MESSAGE) continue;
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) out.add('error', 'SCHEMA', [...path, k], `unknown field '${k}'${suggestion(k, knownFields(path))}`, 'key');
      } else {
        out.add('error', 'SCHEMA', path, issue.message);
      }
    }
    // The expressions too, where they can be read, so an author sees every problem at once.
    const loose = looseFields(raw);
    if (loose) {
      const reported = new Set(out.errors.map((e) => e.path.join('\u0000')));
      const exprIssues = new Collector(locator(text, doc, lc));
      checkExpressions(exprIssues, loose);
      out.errors.push(...exprIssues.errors.filter((e) => !reported.has(e.path.join('\u0000'))));
    }
    return result(out);
  }
  const template = parsed.data;
  const hash = templateHash(template);
  if (!checkExpressions(out, template) || out.errors.length > 0) return result(out, template, hash);

  let ct: CompiledTemplate;
  try {
    ct = compileTemplate(template);
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    out.add('error', 'EVALUATION_FAILED', engineIssuePath(err), messageOf(err));
    return result(out, template, hash);
  }
  checkConstraints(out, ct);
  checkSeeds(
    out,
    ct,
    out.errors.some((e) => e.code === 'CONSTRAINTS_UNSATISFIABLE'),
  );
  return result(out, template, hash);
}

const FIELDS: Record<string, string[]> = {
  '': ['id', 'title', 'topic', 'tags', 'difficulty', 'params', 'constraints', 'maxTries', 'prompt', 'answers', 'solution'],
  answer: ['id', 'label', 'type', 'expr', 'points', 'tolerance', 'partial', 'choices', 'multiple', 'shuffle', 'pick', 'followThrough', 'mistakes'],
  param: ['type', 'min', 'max', 'step', 'exclude', 'decimals', 'values', 'length', 'rows', 'cols', 'of', 'distinct', 'expr'],
  tolerance: ['mode', 'rtol', 'atol', 'digits', 'places'],
};

/** The fields an object at `path` may have, for "did you mean" on an unknown one. */
function knownFields(path: Path): string[] {
  if (path.length === 0) return FIELDS[''];
  if (path[0] === 'answers') return path.at(-1) === 'tolerance' ? FIELDS.tolerance : FIELDS.answer;
  if (path[0] === 'params') return FIELDS.param;
  if (path[0] === 'constraints') return ['expr', 'message'];
  return [];
}
