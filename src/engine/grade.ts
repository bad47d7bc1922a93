/**
 * grade(variant, answers): compares a student's answers with the variant's stored correct
 * answers. Unparseable answers are format errors worth nothing and cost nothing (callers do
 * not count them as tries); follow-through re-grades a part against the value implied by the
 * student's own earlier answers.
 */
import { parseChoice, parseInteger, parseMatrix, parseNumber, parseVector, type ParsedNumber } from './answer-parse.js';
import { EngineError } from './errors.js';
import { compiledTemplateByHash, recomputeAnswer, type CompiledTemplate, type GradingPart, type Variant, type VariantMistake } from './template.js';
import { insufficientPrecision, withinTolerance } from './tolerance.js';

export type PartStatus = 'correct' | 'partial' | 'incorrect' | 'format-error' | 'missing';

export interface PartResult {
  id: string;
  status: PartStatus;
  /** Fraction of the part's points earned, in [0, 1]. */
  score: number;
  points: number;
  maxPoints: number;
  feedback: string;
  /** Per-element correctness of a vector (flattened for a matrix). */
  elements?: boolean[];
  /** Credit came from the student's own earlier (wrong) answer. */
  followThrough?: boolean;
  hint?: 'insufficient-precision';
  /** The id of the named mistake the answer matched (its feedback is `feedback`). */
  mistake?: string;
}

export interface GradeResult {
  /** Weighted score in [0, 1]. */
  score: number;
  points: number;
  maxPoints: number;
  /** At least one part could not be parsed; such a submission should not count as a try. */
  formatError: boolean;
  parts: PartResult[];
}

interface Comparison {
  score: number;
  elements?: boolean[];
  hint?: 'insufficient-precision';
}

type ParsedAnswer = { kind: 'numbers'; values: ParsedNumber[]; flatShape: number } | { kind: 'integer'; value: number } | { kind: 'choice'; values: string[] };

function parseFor(part: GradingPart, raw: unknown): { ok: true; value: ParsedAnswer } | { ok: false; error: string } {
  switch (part.type) {
    case 'number': {
      const p = parseNumber(raw);
      return p.ok ? { ok: true, value: { kind: 'numbers', values: [p.value], flatShape: 0 } } : p;
    }
    case 'integer': {
      const p = parseInteger(raw);
      return p.ok ? { ok: true, value: { kind: 'integer', value: p.value } } : p;
    }
    case 'vector': {
      const p = parseVector(raw, part.shape?.[0] ?? 0);
      return p.ok ? { ok: true, value: { kind: 'numbers', values: p.value, flatShape: 1 } } : p;
    }
    case 'matrix': {
      const p = parseMatrix(raw, part.shape?.[0] ?? 0, part.shape?.[1] ?? 0);
      return p.ok ? { ok: true, value: { kind: 'numbers', values: p.value.flat(), flatShape: 2 } } : p;
    }
    case 'choice': {
      const p = parseChoice(raw, part.choices ?? [], part.multiple ?? false);
      return p.ok ? { ok: true, value: { kind: 'choice', values: p.value } } : p;
    }
  }
}

function flatten(ref: unknown): number[] {
  if (typeof ref === 'number') return [ref];
  if (Array.isArray(ref)) return (ref as unknown[]).flat(2) as number[];
  return [];
}

function compare(part: GradingPart, answer: ParsedAnswer, ref: unknown): Comparison {
  if (answer.kind === 'integer') return { score: answer.value === ref ? 1 : 0 };
  if (answer.kind === 'choice') {
    const want = new Set(Array.isArray(ref) ? (ref as string[]) : [ref as string]);
    const same = answer.values.length === want.size && answer.values.every((v) => want.has(v));
    return { score: same ? 1 : 0 };
  }
  const refs = flatten(ref);
  if (refs.length !== answer.values.length) return { score: 0 };
  const elements = new Array<boolean>(refs.length);
  let right = 0;
  let hint = false;
  for (let i = 0; i < refs.length; i++) {
    const a = answer.values[i];
    const r = refs[i];
    const ok = typeof r === 'number' && withinTolerance(a.value, r, part.tolerance);
    elements[i] = ok;
    if (ok) right++;
    else if (insufficientPrecision(a.value, a.sigDigits, r, part.tolerance)) hint = true;
  }
  const all = right === refs.length;
  const score = all ? 1 : part.partial && answer.flatShape > 0 ? right / refs.length : 0;
  const out: Comparison = { score };
  if (answer.flatShape > 0) out.elements = elements;
  if (hint) out.hint = 'insufficient-precision';
  return out;
}

function toValue(answer: ParsedAnswer, part: GradingPart): unknown {
  if (answer.kind === 'integer') return answer.value;
  if (answer.kind === 'choice') return part.multiple ? answer.values : answer.values[0];
  const nums = answer.values.map((v) => v.value);
  if (answer.flatShape === 0) return nums[0];
  if (answer.flatShape === 1) return nums;
  const cols = part.shape?.[1] ?? 1;
  const rows: number[][] = [];
  for (let i = 0; i < nums.length; i += cols) rows.push(nums.slice(i, i + cols));
  return rows;
}

function feedbackFor(status: PartStatus, c: Comparison | undefined, followThrough: boolean): string {
  if (status === 'correct') return followThrough ? 'Correct, given your earlier answer.' : 'Correct.';
  if (status === 'partial') return `Partly correct: ${c?.elements?.filter(Boolean).length ?? 0} of ${c?.elements?.length ?? 0} entries.`;
  if (c?.hint) return 'Incorrect: insufficient precision — give more significant digits.';
  return 'Incorrect.';
}

/** The first of the part's named mistakes (template order) that the answer matches under the part's tolerance. */
function matchMistake(part: GradingPart, answer: ParsedAnswer): VariantMistake | undefined {
  if (!part.mistakes) return undefined;
  for (const m of part.mistakes) if (compare(part, answer, m.value).score >= 1) return m;
  return undefined;
}

function mistakeFeedback(m: VariantMistake, score: number): string {
  const credit = score > 0 ? ` (${Math.round(score * 100)} % of the points)` : '';
  return `Incorrect${credit}: ${m.feedback}`;
}

const MAX_ANSWER_KEYS = 100;

/**
 * grade(variant, answers, template?): per-part results and a score in [0, 1].
 * `answers` maps part ids to what the student sent (strings, numbers or lists); unknown keys
 * are ignored. `template` is needed only for follow-through parts when this process has not
 * compiled the variant's template version. Example: grade(v, { loss: '2.9' }).score → 1.
 */
export function grade(variant: Variant, answers: Record<string, unknown>, template?: CompiledTemplate): GradeResult {
  if (Object.keys(answers).length > MAX_ANSWER_KEYS) throw new EngineError('ANSWERS_INVALID', 'too many answer fields');
  const parsedById = new Map<string, ParsedAnswer>();
  /** Whether the student's answer matched the key itself (follow-through credit does not count). */
  const matchedKey = new Map<string, boolean>();
  const parts: PartResult[] = [];
  let points = 0;
  let maxPoints = 0;
  let formatError = false;
  for (const part of variant.secret.parts) {
    maxPoints += part.points;
    const raw = Object.hasOwn(answers, part.id) ? answers[part.id] : undefined;
    // Object literals, not `{ ...base, … }`: spread-plus-properties hits a slow path in V8 and
    // grading is the hottest loop of the service.
    if (raw === undefined || raw === null || raw === '') {
      parts.push({ id: part.id, status: 'missing', score: 0, points: 0, maxPoints: part.points, feedback: 'No answer.' });
      matchedKey.set(part.id, false);
      continue;
    }
    const parsed = parseFor(part, raw);
    if (!parsed.ok) {
      formatError = true;
      parts.push({ id: part.id, status: 'format-error', score: 0, points: 0, maxPoints: part.points, feedback: `Could not read the answer: ${parsed.error}.` });
      matchedKey.set(part.id, false);
      continue;
    }
    parsedById.set(part.id, parsed.value);
    let c = compare(part, parsed.value, variant.secret.answers[part.id]);
    matchedKey.set(part.id, c.score >= 1);
    let viaFollowThrough = false;
    if (c.score < 1 && part.followThrough) {
      // Every listed part whose answer differs from the key is replaced by the student's value,
      // including parts that themselves earned follow-through credit, so credit carries along a chain.
      const wrongEarlier = part.followThrough.filter((id) => matchedKey.get(id) === false && parsedById.has(id));
      if (wrongEarlier.length > 0) {
        const ct = template ?? compiledTemplateByHash(variant.templateHash);
        if (!ct || ct.hash !== variant.templateHash) {
          throw new EngineError('TEMPLATE_REQUIRED', `follow-through grading of '${part.id}' needs template version ${variant.templateHash}`);
        }
        const overrides: Record<string, unknown> = {};
        for (const id of wrongEarlier) {
          const earlierPart = variant.secret.parts.find((p) => p.id === id) as GradingPart;
          overrides[id] = toValue(parsedById.get(id) as ParsedAnswer, earlierPart);
        }
        let implied: unknown;
        try {
          implied = recomputeAnswer(ct, variant, part.id, overrides);
        } catch {
          implied = undefined; // the student's earlier value makes the formula undefined: no follow-through credit
        }
        if (implied !== undefined) {
          const ft = compare(part, parsed.value, implied);
          if (ft.score > c.score) {
            c = ft;
            viaFollowThrough = true;
          }
        }
      }
    }
    // A named mistake only where the answer is not right (nor right given earlier answers).
    const mistake = c.score < 1 ? matchMistake(part, parsed.value) : undefined;
    if (mistake && mistake.credit > c.score) c = { score: mistake.credit };
    const status: PartStatus = c.score >= 1 ? 'correct' : c.score > 0 ? 'partial' : 'incorrect';
    const earned = part.points * c.score;
    points += earned;
    const result: PartResult = {
      id: part.id,
      status,
      score: c.score,
      points: earned,
      maxPoints: part.points,
      feedback: mistake ? mistakeFeedback(mistake, c.score) : feedbackFor(status, c, viaFollowThrough),
    };
    if (mistake) result.mistake = mistake.id;
    if (c.elements) result.elements = c.elements;
    if (viaFollowThrough) result.followThrough = true;
    if (c.hint && status !== 'correct') result.hint = c.hint;
    parts.push(result);
  }
  return { score: maxPoints > 0 ? points / maxPoints : 0, points, maxPoints, formatError, parts };
}
