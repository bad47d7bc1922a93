import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { drawQuestions } from '../../src/exams/draw.js';
import { tryCredit } from '../../src/exams/blueprint.js';
import { answersReleased } from '../../src/exams/release.js';
import { createRng } from '../../src/engine/index.js';

const seeded = (seed: number) => {
  const rng = createRng(seed);
  return (n: number) => rng.int(0, n - 1);
};

describe('drawQuestions', () => {
  it('never repeats a template within an attempt, across sections', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), (seed) => {
        const q = drawQuestions(
          [
            { count: 3, points: 2, templateIds: ['a', 'b', 'c', 'd'] },
            { count: 2, points: 5, templateIds: ['c', 'd', 'e'] },
          ],
          true,
          seeded(seed),
        );
        return q.length === 5 && new Set(q.map((x) => x.templateId)).size === 5;
      }),
    );
  });

  it('stratifies across pool groups', () => {
    for (let seed = 0; seed < 50; seed++) {
      const q = drawQuestions(
        [
          {
            count: 4,
            points: 1,
            templateIds: [],
            groups: [
              ['a1', 'a2', 'a3'],
              ['b1', 'b2', 'b3'],
            ],
          },
        ],
        false,
        seeded(seed),
      );
      expect(q.filter((x) => x.templateId.startsWith('a'))).toHaveLength(2);
      expect(q.filter((x) => x.templateId.startsWith('b'))).toHaveLength(2);
    }
  });

  it('refuses a blueprint that cannot avoid repeats', () => {
    expect(() => drawQuestions([{ count: 2, points: 1, templateIds: ['a'] }], false, seeded(1))).toThrow(/too few templates to draw without repeats/);
  });
});

describe('policies', () => {
  const base = {
    maxAttempts: 1,
    triesPerQuestion: 3,
    newVariantOnRetry: false,
    gradeDuringAttempt: true,
    shuffle: false,
    scorePolicy: 'best' as const,
    practiceLock: 'off' as const,
  };
  it('tries schedule is relative to the first try and repeats its last value', () => {
    const p = { ...base, release: 'after-attempt' as const, triesSchedule: [10, 7, 5] };
    expect([1, 2, 3, 4].map((n) => tryCredit(p, n))).toEqual([1, 0.7, 0.5, 0.5]);
    expect(tryCredit({ ...p, triesSchedule: undefined }, 3)).toBe(1);
  });

  it('releases answers per policy', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    const s = { attemptFinished: false, questionEnded: true, examArchived: false, now };
    expect(answersReleased({ ...base, release: 'immediately' }, s)).toBe(true);
    expect(answersReleased({ ...base, release: 'after-attempt' }, s)).toBe(false);
    expect(answersReleased({ ...base, release: 'after-attempt' }, { ...s, attemptFinished: true })).toBe(true);
    expect(answersReleased({ ...base, release: 'after-close' }, { ...s, attemptFinished: true, closesAt: new Date('2026-01-02') })).toBe(false);
    expect(answersReleased({ ...base, release: 'after-close' }, { ...s, attemptFinished: true, closesAt: new Date('2025-12-31') })).toBe(true);
    expect(answersReleased({ ...base, release: 'never' }, { ...s, attemptFinished: true })).toBe(false);
  });
});
