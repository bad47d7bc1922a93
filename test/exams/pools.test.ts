import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { groupShortfalls, shortfalls } from '../../src/exams/pools.js';

/** Whether some set of sections needs more templates than its pools hold together (Hall's condition, by brute force). */
function hallFails(pools: string[][], counts: number[]): boolean {
  for (let mask = 1; mask < 1 << pools.length; mask++) {
    const chosen = pools.map((_, i) => i).filter((i) => mask & (1 << i));
    const available = new Set(chosen.flatMap((i) => pools[i])).size;
    const need = chosen.reduce((s, i) => s + counts[i], 0);
    if (available < need) return true;
  }
  return false;
}

describe('shortfalls', () => {
  it('reports each section whose own pool is too small', () => {
    expect(shortfalls([['a', 'b'], ['c'], []], [2, 2, 1])).toEqual([
      { section: 1, available: 1, count: 2 },
      { section: 2, available: 0, count: 1 },
    ]);
  });

  it('reports the sections that compete for too few templates', () => {
    expect(shortfalls([['a'], ['a'], ['a', 'b', 'c']], [1, 1, 1])).toEqual([{ sections: [0, 1], available: 1, count: 2 }]);
    expect(
      shortfalls(
        [
          ['a', 'b'],
          ['a', 'b'],
          ['c', 'd'],
        ],
        [1, 2, 2],
      ),
    ).toEqual([{ sections: [0, 1], available: 2, count: 3 }]);
  });

  it('accepts pools that can share out their templates, even when a greedy pick would not', () => {
    expect(shortfalls([['a', 'b'], ['a']], [1, 1])).toEqual([]);
    expect(shortfalls([['a', 'b', 'c'], ['a', 'b'], ['a']], [1, 1, 1])).toEqual([]);
    expect(shortfalls([['a', 'a', 'b']], [2])).toEqual([]);
  });

  it('agrees with Hall’s condition, and what it reports is a real shortfall', () => {
    const letters = 'abcdefg'.split('');
    const section = fc.tuple(fc.uniqueArray(fc.constantFrom(...letters), { maxLength: 5 }), fc.integer({ min: 1, max: 3 }));
    fc.assert(
      fc.property(fc.array(section, { minLength: 1, maxLength: 6 }), (sections) => {
        const pools = sections.map(([p]) => p);
        const counts = sections.map(([, c]) => c);
        const found = shortfalls(pools, counts);
        expect(found.length > 0).toBe(hallFails(pools, counts));
        for (const f of found) {
          const idx = 'section' in f ? [f.section] : f.sections;
          expect(new Set(idx.flatMap((i) => pools[i])).size).toBe(f.available);
          expect(idx.reduce((s, i) => s + counts[i], 0)).toBe(f.count);
          expect(f.available).toBeLessThan(f.count);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('is quick on the largest blueprints', () => {
    const pool = Array.from({ length: 500 }, (_, i) => `t${i}`);
    const t0 = performance.now();
    expect(
      shortfalls(
        Array.from({ length: 20 }, () => pool),
        Array.from({ length: 20 }, () => 25),
      ),
    ).toEqual([]);
    expect(
      shortfalls(
        Array.from({ length: 20 }, () => pool.slice(0, 400)),
        Array.from({ length: 20 }, () => 21),
      ),
    ).toEqual([{ sections: Array.from({ length: 20 }, (_, i) => i), available: 400, count: 420 }]);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('groupShortfalls', () => {
  it('asks each group for its round-robin share, ceil(count / groups)', () => {
    const pools = [
      { templateIds: ['a', 'b', 'c', 'd'], groups: [['a'], ['b', 'c', 'd']] },
      { templateIds: ['e', 'f'] },
      { templateIds: ['g', 'h', 'i'], groups: [['g', 'h'], ['i']] },
    ];
    expect(groupShortfalls(pools, [2, 2, 2])).toEqual([]);
    expect(groupShortfalls(pools, [3, 2, 3])).toEqual([
      { section: 0, group: 0, available: 1, count: 2 },
      { section: 2, group: 1, available: 1, count: 2 },
    ]);
  });
});
