import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ExpressionError,
  answersFromParams,
  compileTemplate,
  formatValue,
  instantiate,
  shownChoices,
  svmLoss,
  type TemplateInput,
} from '../../src/engine/index.js';
import { choiceTemplate, sgdTemplate, svmTemplate } from './fixtures.js';

describe('answersFromParams', () => {
  it('gives back exactly what instantiate stored, for any seed', () => {
    for (const t of [svmTemplate, sgdTemplate, choiceTemplate]) {
      const ct = compileTemplate(t);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
          const v = instantiate(ct, seed);
          // Stored parameters go through JSON; so do they here. A regrade passes the options shown.
          const r = answersFromParams(ct, JSON.parse(JSON.stringify(v.secret.params)) as Record<string, unknown>, shownChoices(v.secret.parts));
          expect(r.answers).toEqual(v.secret.answers);
          expect(r.parts).toEqual(v.secret.parts);
          expect(r.solution).toBe(v.secret.solution);
          expect(r.params).toEqual(v.secret.params);
        }),
        { numRuns: 30 },
      );
    }
  });

  it("uses a newer version's answer and derived-parameter formulas with the stored drawn values", () => {
    const v1 = instantiate(compileTemplate(svmTemplate), 7);
    const v2: TemplateInput = {
      ...svmTemplate,
      params: { ...svmTemplate.params, L: { type: 'derived', expr: 'svmLoss(s, y) + 1' } },
      answers: [
        { id: 'loss', label: '$L_i$', type: 'number', expr: 'L', points: 3, tolerance: { mode: 'absolute', atol: 0.5 } },
        { id: 'win', label: 'winning class', type: 'integer', expr: 'argmax(s)' },
      ],
    };
    const r = answersFromParams(compileTemplate(v2), v1.secret.params);
    const s = v1.secret.params.s as number[];
    const y = v1.secret.params.y as number;
    expect(r.params).toMatchObject({ s, y });
    expect(r.answers.loss).toBeCloseTo(svmLoss(s, y) + 1, 12);
    expect(r.answers.win).toBe(v1.secret.answers.win);
    expect(Object.keys(r.answers)).toEqual(['loss', 'win']);
    expect(r.parts[0]).toMatchObject({ id: 'loss', points: 3, tolerance: { mode: 'absolute', atol: 0.5 } });
    expect(r.solution).toContain(`doubled ${formatValue(2 * (r.answers.loss as number))}`);
    expect(r.solution).not.toBe(v1.secret.solution);
  });

  it('names a drawn parameter the stored variant does not have', () => {
    const ct = compileTemplate(sgdTemplate);
    const v = instantiate(ct, 3);
    const { lr: _lr, ...rest } = v.secret.params;
    expect(() => answersFromParams(ct, rest)).toThrow(ExpressionError);
    expect(() => answersFromParams(ct, rest)).toThrow(/params\.lr: the stored parameters have no 'lr'/);
  });

  it('ignores stored parameters the version no longer declares', () => {
    const ct = compileTemplate(sgdTemplate);
    const v = instantiate(ct, 11);
    const r = answersFromParams(ct, { ...v.secret.params, gone: [1, 2, 3] });
    expect(r.params).not.toHaveProperty('gone');
    expect(r.answers).toEqual(v.secret.answers);
  });
});
