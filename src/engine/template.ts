/**
 * Templates: validate (zod), compile (every expression checked and compiled once, cached by
 * content hash), instantiate(seed) → a variant whose public part can be shown to a student and
 * whose secret part (parameters, answers, solution, grading rules) stays on the server.
 */
import { createHash } from 'node:crypto';
import { answerAmongShown, checkRendered, drawChoices, keepShown, type ShownChoices } from './choices.js';
import { compileExpression, type CompiledExpression } from './expr.js';
import { ConstraintError, EngineError, ExpressionError, TemplateError } from './errors.js';
import { formatValue, placeholderContexts, type TextContext } from './format.js';
import { createRng, type Rng } from './rng.js';
import { describeTolerance, withinTolerance } from './tolerance.js';
import { drawMany, drawScalar } from './sample.js';
import { PROTO_NAME_MESSAGE, templateSchema, type AnswerSpec, type AnswerType, type ParamSpec, type Template, type Tolerance } from './template-schema.js';

export type AnswerValue = number | number[] | number[][] | string | string[];

interface PartBase {
  id: string;
  label: string;
  type: AnswerType;
  points: number;
  /** [n] for a vector, [rows, cols] for a matrix, so a client can lay out inputs. */
  shape?: number[];
  choices?: string[];
  multiple?: boolean;
}

/** What a student sees of a part. */
export interface PublicPart extends PartBase {
  /** How close a numeric answer must be (not secret: it tells the student how precisely to answer). */
  tolerance?: Tolerance;
  /** The tolerance in words ("within 1 % of the exact value"). */
  toleranceText?: string;
}

/** A named wrong answer of one variant (see the schema's `mistakes`): its value, its feedback rendered. */
export interface VariantMistake {
  id: string;
  value: AnswerValue;
  feedback: string;
  credit: number;
}

/** A part as stored with the variant and graded. */
export interface GradingPart extends PartBase {
  tolerance: Tolerance;
  partial: boolean;
  followThrough?: string[];
  /** In the template's order; those equal to the correct answer for this variant are left out. */
  mistakes?: VariantMistake[];
}

export interface Variant {
  templateId: string;
  templateHash: string;
  seed: number;
  public: { title: string; prompt: string; parts: PublicPart[] };
  secret: {
    params: Record<string, unknown>;
    answers: Record<string, AnswerValue>;
    solution: string;
    parts: GradingPart[];
  };
}

/** Static text, or a placeholder with the context it stands in (numbers are written in its notation). */
type Piece = string | { expr: CompiledExpression; context: TextContext };

interface CompiledParam {
  name: string;
  spec: ParamSpec;
  expr?: CompiledExpression;
}

export interface CompiledTemplate {
  readonly template: Template;
  readonly hash: string;
  readonly params: readonly CompiledParam[];
  readonly constraints: readonly { expr: CompiledExpression; label: string }[];
  readonly prompt: readonly Piece[];
  readonly solution: readonly Piece[];
  /** `choices` only when an option has a placeholder (else the written options are used as they are). */
  readonly answers: readonly {
    spec: AnswerSpec;
    expr: CompiledExpression;
    label: readonly Piece[];
    mistakes: readonly { id: string; expr: CompiledExpression; feedback: readonly Piece[]; credit: number }[];
    choices?: readonly (readonly Piece[])[];
  }[];
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** parseTemplate(raw, where): validates raw data against the template schema; errors name the field. */
export function parseTemplate(raw: unknown, where = ''): Template {
  // The schema's record drops a `__proto__` parameter (JSON.parse keeps it as a key) without a word.
  const params = raw !== null && typeof raw === 'object' ? (raw as { params?: unknown }).params : undefined;
  if (params !== null && typeof params === 'object' && Object.hasOwn(params, '__proto__')) {
    throw new TemplateError(`params.__proto__: ${PROTO_NAME_MESSAGE}`, where, [{ path: 'params.__proto__', message: PROTO_NAME_MESSAGE }]);
  }
  const result = templateSchema.safeParse(raw);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  const first = issues[0];
  const summary = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
  throw new TemplateError(summary, where, issues.length ? issues : first ? [first] : []);
}

/** Canonical JSON (sorted keys) so equal templates hash equally whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** templateHash(t): sha256 of the canonical validated template. */
export function templateHash(t: Template): string {
  return createHash('sha256').update(canonicalJson(t)).digest('hex');
}

const PLACEHOLDER = /\{\{([\s\S]*?)\}\}/g;

function compilePieces(text: string, names: ReadonlySet<string>, field: string): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  const matches = [...text.matchAll(PLACEHOLDER)];
  const contexts = placeholderContexts(
    text,
    matches.map((m) => ({ start: m.index, end: m.index + m[0].length })),
  );
  for (const [k, m] of matches.entries()) {
    const idx = m.index;
    if (idx > last) pieces.push(text.slice(last, idx));
    const line = text.slice(0, idx).split('\n').length;
    pieces.push({ expr: compileExpression((m[1] ?? '').trim(), names, `${field} (line ${line}, {{${m[1]}}})`), context: contexts[k] });
    last = idx + m[0].length;
  }
  if (last < text.length) pieces.push(text.slice(last));
  return pieces;
}

const compiledByHash = new Map<string, CompiledTemplate>();
const MAX_CACHED = 2000;

/** compileTemplate(raw): validates if needed, checks and compiles every expression once; cached by hash. */
export function compileTemplate(raw: unknown, where = ''): CompiledTemplate {
  const template = parseTemplate(raw, where);
  const hash = templateHash(template);
  const cached = compiledByHash.get(hash);
  if (cached) return cached;
  try {
    const compiled = compileChecked(template, hash);
    if (compiledByHash.size >= MAX_CACHED) compiledByHash.delete(compiledByHash.keys().next().value as string);
    compiledByHash.set(hash, compiled);
    return compiled;
  } catch (err) {
    if (err instanceof EngineError && !(err instanceof TemplateError)) {
      throw new TemplateError(err.message, where, [{ path: err.path, message: err.message }]);
    }
    throw err;
  }
}

/** The compiled template with this content hash, if this process has compiled it. */
export function compiledTemplateByHash(hash: string): CompiledTemplate | undefined {
  return compiledByHash.get(hash);
}

function compileChecked(template: Template, hash: string): CompiledTemplate {
  const names = new Set<string>();
  const params: CompiledParam[] = [];
  for (const [name, spec] of Object.entries(template.params)) {
    const path = `params.${name}`;
    let expr: CompiledExpression | undefined;
    if (spec.type === 'derived') expr = compileExpression(spec.expr, names, `${path}.expr`);
    if (spec.type === 'vector' || spec.type === 'matrix') {
      const sizes =
        spec.type === 'vector'
          ? [['length', spec.length]]
          : [
              ['rows', spec.rows],
              ['cols', spec.cols],
            ];
      for (const [field, s] of sizes) {
        if (typeof s === 'string') {
          const ref = template.params[s];
          if (!names.has(s) || ref?.type !== 'int') {
            throw new TemplateError(`'${s}' must be an earlier int parameter`, `${path}.${field}`);
          }
        }
      }
    }
    params.push({ name, spec, expr });
    names.add(name);
  }
  const constraints = template.constraints.map((c, i) => {
    const src = typeof c === 'string' ? c : c.expr;
    const label = typeof c === 'string' ? c : (c.message ?? c.expr);
    return { expr: compileExpression(src, names, `constraints[${i}]`), label };
  });
  const prompt = compilePieces(template.prompt, names, 'prompt');
  // Labels may use parameters ("distance to point {{ k }}") but never answers.
  const paramNames = new Set(names);
  const answers = template.answers.map((spec, i) => {
    const expr = compileExpression(spec.expr, names, `answers[${i}].expr`);
    names.add(spec.id);
    const label = compilePieces(spec.label, paramNames, `answers[${i}].label`);
    const mistakes = (spec.mistakes ?? []).map((m, j) => ({
      id: m.id,
      expr: compileExpression(m.expr, names, `answers[${i}].mistakes[${j}].expr`),
      feedback: compilePieces(m.feedback, paramNames, `answers[${i}].mistakes[${j}].feedback`),
      credit: m.credit,
    }));
    // Options, like labels, are shown to the student: parameters only, never answers.
    const dynamic = spec.choices?.some((c) => c.includes('{{'));
    if (!dynamic) return { spec, expr, label, mistakes };
    const choices = (spec.choices ?? []).map((c, k) => compilePieces(c, paramNames, `answers[${i}].choices[${k}]`));
    return { spec, expr, label, mistakes, choices };
  });
  const solution = compilePieces(template.solution, names, 'solution');
  return { template, hash, params, constraints, prompt, solution, answers };
}

function sizeOf(s: number | string, scope: Map<string, unknown>): number {
  return typeof s === 'number' ? s : (scope.get(s) as number);
}

function drawParam(p: CompiledParam, scope: Map<string, unknown>, rng: ReturnType<typeof createRng>): unknown {
  const spec = p.spec;
  switch (spec.type) {
    case 'int':
    case 'real':
    case 'choice':
      return drawScalar(spec, rng);
    case 'vector': {
      const n = sizeOf(spec.length, scope);
      if (!(n >= 1 && n <= 100)) throw new ExpressionError(`vector length ${n} is outside 1..100`, `params.${p.name}.length`);
      return drawMany(spec.of, n, spec.distinct, rng);
    }
    case 'matrix': {
      const r = sizeOf(spec.rows, scope);
      const c = sizeOf(spec.cols, scope);
      if (!(r >= 1 && r <= 100 && c >= 1 && c <= 100)) {
        throw new ExpressionError(`matrix shape ${r}×${c} is outside 1..100`, `params.${p.name}`);
      }
      const flat = drawMany(spec.of, r * c, spec.distinct, rng);
      const rows: unknown[][] = [];
      for (let i = 0; i < r; i++) rows.push(flat.slice(i * c, (i + 1) * c));
      return rows;
    }
    case 'derived':
      return (p.expr as CompiledExpression).evaluate(scope);
  }
}

// The functions on the instantiate path avoid creating closures per call: under tsx every
// closure creation also pays for naming it, and instantiate runs tens of thousands of times a second.
function isNumberArray(v: unknown): v is number[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) return false;
  return true;
}

function isRectangularMatrix(v: unknown): v is number[][] {
  if (!Array.isArray(v) || v.length === 0) return false;
  const cols = Array.isArray(v[0]) ? (v[0] as unknown[]).length : 0;
  if (cols === 0) return false;
  for (const r of v) if (!isNumberArray(r) || r.length !== cols) return false;
  return true;
}

function answerTypeError(v: unknown, what: string, path: string): never {
  throw new ExpressionError(`expected ${what}, got ${formatValue(v).slice(0, 80)}`, path);
}

/** The option a choice answer's value names: its text as shown, or as written (then the option as rendered). */
function asChoice(c: unknown, shown: readonly string[], written: readonly string[]): string | undefined {
  if (typeof c !== 'string') return undefined;
  if (shown.includes(c)) return c;
  const k = written.indexOf(c);
  return k >= 0 ? shown[k] : undefined;
}

/**
 * Checks an evaluated answer against its declared type; a template bug is reported with its field.
 * `rendered`: a choice answer's options for this variant (its written ones by default).
 */
function normalizeAnswer(spec: AnswerSpec, v: unknown, path: string, rendered?: readonly string[]): AnswerValue {
  switch (spec.type) {
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) answerTypeError(v, 'a finite number', path);
      return v;
    case 'integer': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return answerTypeError(v, 'an integer', path);
      const r = Math.round(v);
      // Exact arithmetic like (W - F + 2P)/S + 1 can land a hair off an integer in floating point.
      if (Math.abs(v - r) > 1e-9 * Math.max(1, Math.abs(v)) || !Number.isSafeInteger(r)) answerTypeError(v, 'an integer', path);
      return r;
    }
    case 'vector':
      if (!isNumberArray(v) || v.length === 0) answerTypeError(v, 'a non-empty vector of finite numbers', path);
      return v;
    case 'matrix':
      if (!isRectangularMatrix(v)) answerTypeError(v, 'a rectangular matrix of finite numbers', path);
      return v;
    case 'choice': {
      const written = spec.choices ?? [];
      const choices = rendered ?? written;
      const list = spec.multiple ? (Array.isArray(v) ? v : [v]) : [v];
      if (!spec.multiple && typeof v !== 'string') answerTypeError(v, 'one of the choices (a string)', path);
      const named: string[] = [];
      for (const c of list) {
        const option = asChoice(c, choices, written);
        if (option === undefined) answerTypeError(v, `one of ${JSON.stringify(choices)}`, path);
        named.push(option);
      }
      return spec.multiple ? [...new Set(named)] : named[0];
    }
  }
}

const TOLERANT: ReadonlySet<AnswerType> = new Set(['number', 'vector', 'matrix']);

/** The part as a student may see it: with the tolerance of a numeric part, without the grading rules (partial credit, follow-through). */
export function publicPart(p: GradingPart): PublicPart {
  const out: PublicPart = { id: p.id, label: p.label, type: p.type, points: p.points };
  if (p.shape) out.shape = p.shape;
  if (p.choices) {
    out.choices = p.choices;
    out.multiple = p.multiple;
  }
  // Integer and choice answers are compared exactly: their (default) tolerance means nothing.
  // Derived from the stored grading part when read, so variants issued before this carry it too,
  // and a regrade's new tolerance shows at once.
  if (TOLERANT.has(p.type)) {
    out.tolerance = { ...p.tolerance };
    out.toleranceText = describeTolerance(p.tolerance);
  }
  return out;
}

function render(pieces: readonly Piece[], scope: Map<string, unknown>): string {
  let out = '';
  for (const p of pieces) out += typeof p === 'string' ? p : formatValue(p.expr.evaluate(scope), 6, p.context);
  return out;
}

function shapeOf(v: AnswerValue, type: AnswerType): number[] | undefined {
  if (type === 'vector') return [(v as number[]).length];
  if (type === 'matrix') return [(v as number[][]).length, (v as number[][])[0]?.length ?? 0];
  return undefined;
}

/** Draws parameters until the constraints hold; counts which constraint rejected draws. */
function drawScope(ct: CompiledTemplate, seed: number, rng: Rng): Map<string, unknown> {
  const rejections = new Array<number>(ct.constraints.length).fill(0);
  const maxTries = ct.template.maxTries;
  for (let attempt = 0; attempt < maxTries; attempt++) {
    const scope = new Map<string, unknown>();
    for (const p of ct.params) scope.set(p.name, drawParam(p, scope, rng));
    let ok = true;
    for (let i = 0; i < ct.constraints.length; i++) {
      const c = ct.constraints[i];
      const v = c.expr.evaluate(scope);
      if (typeof v !== 'boolean') throw new ExpressionError('a constraint must evaluate to true or false', `constraints[${i}]`);
      if (!v) {
        rejections[i] = (rejections[i] ?? 0) + 1;
        ok = false;
        break;
      }
    }
    if (ok) return scope;
  }
  const worst = rejections.indexOf(Math.max(...rejections));
  const label = ct.constraints[worst]?.label ?? '';
  throw new ConstraintError(
    `no draw satisfied the constraints in ${maxTries} tries (seed ${seed}); "${label}" rejected ${rejections[worst]} of them`,
    `constraints[${worst}]`,
  );
}

/**
 * instantiate(ct, seed): the variant for this seed; deterministic on any machine.
 * Example: instantiate(compileTemplate(t), 42).public.prompt.
 */
export function instantiate(ct: CompiledTemplate, seed: number): Variant {
  const rng = createRng(seed);
  const scope = drawScope(ct, seed, rng);
  const params = Object.fromEntries(scope);
  // Choice options are drawn after the parameters, from the same generator.
  const { answers, parts } = evaluateAnswers(ct, scope, { rng });
  return {
    templateId: ct.template.id,
    templateHash: ct.hash,
    seed,
    public: {
      title: ct.template.title,
      prompt: render(ct.prompt, scope),
      parts: parts.map(publicPart),
    },
    secret: { params, answers, solution: render(ct.solution, scope), parts },
  };
}

/**
 * The mistakes of one answer for this variant. A mistake whose expression fails or gives a
 * value of the wrong kind for these parameters (log10 of a negative, a shape that differs) is
 * left out of this variant (validate reports it), and so is one that equals the correct answer
 * within the part's tolerance: it could never be told apart from it.
 */
function variantMistakes(
  mistakes: CompiledTemplate['answers'][number]['mistakes'],
  spec: AnswerSpec,
  part: GradingPart,
  correct: AnswerValue,
  scope: Map<string, unknown>,
  i: number,
  options?: { rendered: readonly string[]; shown: string[] },
): VariantMistake[] {
  const out: VariantMistake[] = [];
  for (const m of mistakes) {
    let value: AnswerValue;
    try {
      value = normalizeAnswer(spec, m.expr.evaluate(scope), `answers[${i}].mistakes`, options?.rendered);
      // A choice mistake is an option (or options) the variant shows; one it does not show is left out.
      if (options) value = answerAmongShown(value as string | string[], options.shown, `answers[${i}].mistakes`);
    } catch {
      continue;
    }
    if (sameAnswer(part, value, correct)) continue;
    out.push({ id: m.id, value, feedback: render(m.feedback, scope), credit: m.credit });
  }
  return out;
}

/** Whether two answer values of a part are the same answer under the part's tolerance (the grader's comparison). */
export function sameAnswer(part: Pick<GradingPart, 'type' | 'tolerance'>, a: AnswerValue, b: AnswerValue): boolean {
  if (part.type === 'choice') {
    const x = Array.isArray(a) ? (a as string[]) : [a as string];
    const y = new Set(Array.isArray(b) ? (b as string[]) : [b as string]);
    return x.length === y.size && x.every((v) => y.has(v));
  }
  if (part.type === 'integer') return a === b;
  const xs = [a].flat(2) as number[];
  const ys = [b].flat(2) as number[];
  return xs.length === ys.length && xs.every((v, k) => withinTolerance(v, ys[k], part.tolerance));
}

/** Where a variant's choice options come from: drawn with `rng`, or (a regrade) kept as a stored variant showed them. */
interface ChoiceSource {
  rng: Rng;
  shown?: ShownChoices;
}

/** A choice answer's options for this variant, in order. */
function chooseOptions(source: ChoiceSource, spec: AnswerSpec, rendered: readonly string[], value: AnswerValue, path: string): string[] {
  const stored = source.shown && Object.hasOwn(source.shown, spec.id) ? source.shown[spec.id] : undefined;
  if (stored) return keepShown(stored, rendered, path);
  return drawChoices(spec, rendered, typeof value === 'string' ? [value] : (value as string[]), source.rng);
}

/** The options of answer `i` as this variant renders them. */
function renderChoices(ct: CompiledTemplate, i: number, scope: Map<string, unknown>): readonly string[] {
  const { spec, choices } = ct.answers[i];
  if (!choices) return spec.choices ?? [];
  const rendered = choices.map((pieces) => render(pieces, scope).trim());
  checkRendered(rendered, `answers[${i}].choices`);
  return rendered;
}

/** Evaluates the answers in order over the parameters in `scope` (each answer joins the scope). */
function evaluateAnswers(
  ct: CompiledTemplate,
  scope: Map<string, unknown>,
  source: ChoiceSource,
): { answers: Record<string, AnswerValue>; parts: GradingPart[] } {
  const answers: Record<string, AnswerValue> = {};
  const parts: GradingPart[] = [];
  const labels: string[] = [];
  for (const a of ct.answers) labels.push(render(a.label, scope));
  for (let i = 0; i < ct.answers.length; i++) {
    const { spec, expr, mistakes } = ct.answers[i];
    const rendered = spec.choices ? renderChoices(ct, i, scope) : undefined;
    let value = normalizeAnswer(spec, expr.evaluate(scope), `answers[${i}].expr`, rendered);
    let shown: string[] | undefined;
    if (rendered) {
      shown = chooseOptions(source, spec, rendered, value, `answers[${i}].choices`);
      value = answerAmongShown(value as string | string[], shown, `answers[${i}].expr`);
    }
    scope.set(spec.id, value);
    answers[spec.id] = value;
    const part: GradingPart = {
      id: spec.id,
      label: labels[i],
      type: spec.type,
      points: spec.points,
      tolerance: spec.tolerance,
      partial: spec.partial,
    };
    const shape = shapeOf(value, spec.type);
    if (shape) part.shape = shape;
    if (shown) {
      part.choices = shown;
      part.multiple = spec.multiple;
    }
    if (spec.followThrough) part.followThrough = spec.followThrough;
    if (mistakes.length > 0) {
      const found = variantMistakes(mistakes, spec, part, value, scope, i, rendered && shown ? { rendered, shown } : undefined);
      if (found.length > 0) part.mistakes = found;
    }
    parts.push(part);
  }
  return { answers, parts };
}

/**
 * answersFromParams(ct, params): the correct answers, grading parts and solution that this
 * template (typically a newer version) gives for a stored variant's parameters. Drawn
 * parameters are taken as stored; derived ones are re-derived with this version's expressions,
 * so a fixed formula reaches both. Constraints are not re-checked: the variant was issued.
 * `shown`: the options the stored variant's choice parts showed (shownChoices(parts)); the
 * student chose among them, so they stay, in their order (ExpressionError if this version no
 * longer offers one). A choice part without them gets options drawn from the parameters' hash.
 * Throws ExpressionError naming the parameter when a drawn one is missing from `params`.
 * Example: answersFromParams(compileTemplate(t), variant.secret.params, shownChoices(variant.secret.parts)).answers.
 */
export function answersFromParams(
  ct: CompiledTemplate,
  params: Record<string, unknown>,
  shown?: ShownChoices,
): { params: Record<string, unknown>; answers: Record<string, AnswerValue>; parts: GradingPart[]; solution: string } {
  const scope = new Map<string, unknown>();
  for (const p of ct.params) {
    if (p.spec.type === 'derived') scope.set(p.name, (p.expr as CompiledExpression).evaluate(scope));
    else if (Object.hasOwn(params, p.name)) scope.set(p.name, params[p.name]);
    else throw new ExpressionError(`the stored parameters have no '${p.name}'`, `params.${p.name}`);
  }
  const recomputed = Object.fromEntries(scope);
  const rng = createRng(parseInt(createHash('sha256').update(canonicalJson(params)).digest('hex').slice(0, 8), 16));
  const { answers, parts } = evaluateAnswers(ct, scope, { rng, shown });
  return { params: recomputed, answers, parts, solution: render(ct.solution, scope) };
}

/**
 * recomputeAnswer(ct, variant, partId, overrides): re-evaluates one answer with some earlier
 * answers replaced (follow-through grading), from the variant's stored parameters.
 */
export function recomputeAnswer(ct: CompiledTemplate, variant: Variant, partId: string, overrides: Record<string, unknown>): unknown {
  const scope = new Map<string, unknown>(Object.entries(variant.secret.params));
  for (const [k, v] of Object.entries(variant.secret.answers)) scope.set(k, k in overrides ? overrides[k] : v);
  const entry = ct.answers.find((a) => a.spec.id === partId);
  if (!entry) throw new EngineError('PART_UNKNOWN', `no answer '${partId}' in template ${ct.template.id}`);
  return entry.expr.evaluate(scope);
}
