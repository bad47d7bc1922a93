/**
 * The fast evaluator must agree exactly with mathjs's own compiled code: on every expression
 * of the built-in catalogue over many variants, and on the edge cases of its fast paths.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileExpression, instantiate, loadCatalogue } from '../../src/engine/index.js';

function both(src: string, scope: Record<string, unknown>) {
  const names = new Set(Object.keys(scope));
  const map = () => new Map(Object.entries(structuredClone(scope)));
  const run = (which: 'fast' | 'mathjs') => {
    try {
      return { ok: true, value: compileExpression(src, names, 't', which).evaluate(map()) };
    } catch (err) {
      return { ok: false, value: (err as Error).message };
    }
  };
  return { fast: run('fast'), ref: run('mathjs') };
}

describe('fast evaluator = mathjs', () => {
  it.each([
    ['mod(-7, 3)'],
    ['mod(7, -3)'],
    ['mod(5.5, 2)'],
    ['mod(0.3 * 3, 0.9)'],
    ['mod(7, 0)'],
    ['mod(1e-17 + 3, 3)'],
    ['0.1 + 0.2 == 0.3'],
    ['1 < 1 + 1e-14'],
    ['1 <= 1 - 1e-14'],
    ['1 > 1 - 1e-13'],
    ['2 != 2 + 1e-13'],
    ['0 < 1e-15'],
    ['1 > 0 and 2 > 1'],
    ['0 and x'],
    ['1 or x'],
    ['0 or 0'],
    ['not 0'],
    ['not 2'],
    ['1 and 0 or 1'],
    ['max(1, 3, 2)'],
    ['max([1, 3, 3 + 1e-14])'],
    ['min([2, 2 - 1e-14, 5])'],
    ['max(v)'],
    ['min(v)'],
    ['max(M)'],
    ['max(M, 1)'],
    ['sum(v)'],
    ['sum(M)'],
    ['mean(v)'],
    ['mean(M, 1)'],
    ['mean(M, 2)'],
    ['mean(M)'],
    ['v + v'],
    ['v - 2 * v'],
    ['v * 3'],
    ['3 * v'],
    ['v / 4'],
    ['4 / v'],
    ['-v'],
    ['+v'],
    ['M * v[1:2]'],
    ['M + M'],
    ['M * 2'],
    ['v .* v'],
    ['(-8) ^ (1/3)'],
    ['2 ^ 0.5'],
    ['(-2) ^ 3'],
    ['0 ^ -1'],
    ['abs(-3)'],
    ['abs(v - 3)'],
    ['sqrt(2)'],
    ['sqrt(-4)'],
    ['exp(1)'],
    ['log(10)'],
    ['log(8, 2)'],
    ['x > 1 ? 10 : 20'],
    ['"a" ? 1 : 2'],
    ['momentumStep(1, 0, 2, 0.1, 0.9).x'],
    ['svmLoss(v, 0)'],
    ['M[2, 1]'],
    ['v[end]'],
    ['map(v, sigmoid)'],
    ['sort([3, 1, 2])'],
    ['{a: 1, b: x}.b'],
    ['equalText("a", "a") ? 1 : 0'],
    ['1 < x < 3'],
    ['x == "s"'],
  ])('%s', (src) => {
    const { fast, ref } = both(src, {
      x: 2,
      v: [1, 2.5, -3],
      M: [
        [1, 2],
        [3, 4],
      ],
    });
    expect(fast).toEqual(ref);
  });

  it('agrees on random arithmetic', () => {
    const num = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.double({ min: -50, max: 50, noNaN: true }));
    fc.assert(
      fc.property(num, num, fc.constantFrom('+', '-', '*', '/', '^', '==', '<', '>=', ' and ', ' or '), fc.constantFrom('mod', 'max', 'min'), (a, b, op, f) => {
        const scope = { a, b };
        for (const src of [`a ${op} b`, `${f}(a, b)`, `abs(a) ${op} b`]) {
          const { fast, ref } = both(src, scope);
          if (JSON.stringify(fast) !== JSON.stringify(ref) && !(Number.isNaN(fast.value) && Number.isNaN(ref.value))) return false;
        }
        return true;
      }),
      { numRuns: 500 },
    );
  });

  it('agrees on every expression of the catalogue, over 25 variants each', () => {
    let checked = 0;
    for (const ct of loadCatalogue('problems')) {
      const exprs = [
        ...ct.params.flatMap((p) => (p.expr ? [p.expr] : [])),
        ...ct.constraints.map((c) => c.expr),
        ...ct.answers.map((a) => a.expr),
        ...[...ct.prompt, ...ct.solution].flatMap((p) => (typeof p === 'string' ? [] : [p.expr])),
      ];
      for (let seed = 1; seed <= 25; seed++) {
        const v = instantiate(ct, seed);
        const scope = { ...v.secret.params, ...v.secret.answers };
        for (const e of exprs) {
          if (typeof e === 'string') continue;
          const { fast, ref } = both(e.source, scope);
          expect(fast, `${ct.template.id} seed ${seed}: ${e.source}`).toEqual(ref);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });
});
