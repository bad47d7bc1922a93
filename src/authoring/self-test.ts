/**
 * selfTest(template, n): instantiates n variants and checks that each is sound — finite
 * answers, constraints hold, the correct answers score 1, a perturbed answer scores below 1,
 * unreadable text is a format error, each named mistake is recognised — and how many variants
 * are distinct.
 */
import { canonicalJson, EngineError, grade, instantiate, sameAnswer, type CompiledTemplate, type Variant } from '../engine/index.js';
import { correctSubmission, perturbedSubmission, toSubmission, unreadableSubmission } from './submissions.js';

export interface SelfTestReport {
  id: string;
  variants: number;
  distinct: number;
  failures: { seed: number; reason: string }[];
}

/**
 * What tells two variants apart for a student: their parameters and, for choice parts, which
 * options they show (as a set: a different order alone is not another question).
 */
export function variantContent(v: Variant): string {
  const choices = v.secret.parts.flatMap((p) => (p.choices ? [[p.id, [...p.choices].sort()]] : []));
  return canonicalJson(choices.length > 0 ? { params: v.secret.params, choices } : v.secret.params);
}

function checkVariant(ct: CompiledTemplate, v: Variant): string | undefined {
  const scope = new Map<string, unknown>(Object.entries(v.secret.params));
  for (const [i, c] of ct.constraints.entries()) {
    if (c.expr.evaluate(scope) !== true) return `constraints[${i}] does not hold`;
  }
  // A stored variant is JSON: grading must not depend on anything that does not survive it.
  const stored = JSON.parse(JSON.stringify(v)) as Variant;
  const right = grade(stored, correctSubmission(stored), ct);
  if (right.score !== 1) {
    const bad = right.parts.find((p) => p.score < 1);
    return `the correct answer scored ${right.score} (part ${bad?.id}: ${bad?.status}, ${bad?.feedback})`;
  }
  const wrong = grade(stored, perturbedSubmission(stored), ct);
  if (wrong.score >= 1) return 'a perturbed answer scored 1';
  const unreadable = grade(stored, unreadableSubmission(stored), ct);
  if (!unreadable.formatError || unreadable.score !== 0) return 'an unreadable answer was not a format error';
  return checkMistakes(ct, stored);
}

/** Each named mistake of the variant, answered as a student would type it, is recognised as that mistake (or an earlier one of the same value) and is not full marks. */
function checkMistakes(ct: CompiledTemplate, v: Variant): string | undefined {
  const right = correctSubmission(v);
  for (const part of v.secret.parts) {
    for (const m of part.mistakes ?? []) {
      const r = grade(v, { ...right, [part.id]: toSubmission(m.value) }, ct).parts.find((p) => p.id === part.id);
      const first = part.mistakes?.find((e) => sameAnswer(part, e.value, m.value));
      if (!r || r.score >= 1 || r.mistake !== first?.id) {
        return `mistake ${part.id}/${m.id} answered as ${JSON.stringify(toSubmission(m.value))} was graded ${r?.status ?? 'missing'}${r?.mistake ? ` as ${r.mistake}` : ''}, not as that mistake`;
      }
    }
  }
  return undefined;
}

/** onProgress(done, total) is called as variants are checked. */
export function selfTest(ct: CompiledTemplate, n: number, firstSeed = 1, onProgress?: (done: number, total: number) => void): SelfTestReport {
  const failures: SelfTestReport['failures'] = [];
  const distinct = new Set<string>();
  for (let i = 0; i < n; i++) {
    const seed = firstSeed + i;
    try {
      const v = instantiate(ct, seed);
      const again = instantiate(ct, seed);
      if (canonicalJson(v) !== canonicalJson(again)) failures.push({ seed, reason: 'instantiate is not deterministic' });
      distinct.add(variantContent(v));
      const reason = checkVariant(ct, v);
      if (reason) failures.push({ seed, reason });
    } catch (err) {
      if (!(err instanceof EngineError) && !(err instanceof Error)) throw err;
      failures.push({ seed, reason: err.message });
    }
    onProgress?.(i + 1, n);
  }
  return { id: ct.template.id, variants: n, distinct: distinct.size, failures };
}
