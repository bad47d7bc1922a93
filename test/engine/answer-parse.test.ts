import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseChoice, parseInteger, parseMatrix, parseNumber, parseVector } from '../../src/engine/answer-parse.js';

describe('parseNumber', () => {
  it.each([
    ['0.25', 0.25],
    ['-1.5e-3', -0.0015],
    ['3/4', 0.75],
    ['-3 / 4', -0.75],
    ['+2', 2],
    ['.5', 0.5],
    ['2.', 2],
    ['\u22122.5', -2.5],
    ['  7  ', 7],
    ['1E3', 1000],
  ])('reads %s as %d', (text, value) => {
    const p = parseNumber(text);
    expect(p.ok && p.value.value).toBe(value);
  });

  it.each(['', 'abc', '2+3', 'NaN', 'Infinity', '1e999', '3/0', 'sqrt(2)', '1,5', '0x10', '1/2/3', 'x'.repeat(100), 'process.exit()'])('refuses %s', (text) => {
    expect(parseNumber(text).ok).toBe(false);
  });

  it('refuses non-finite JSON numbers and other types', () => {
    expect(parseNumber(Number.NaN).ok).toBe(false);
    expect(parseNumber(Number.POSITIVE_INFINITY).ok).toBe(false);
    expect(parseNumber({}).ok).toBe(false);
    expect(parseNumber(null).ok).toBe(false);
    expect(parseNumber(true).ok).toBe(false);
  });

  it('counts significant digits for precision hints', () => {
    const sig = (t: string) => {
      const p = parseNumber(t);
      return p.ok ? p.value.sigDigits : -1;
    };
    expect(sig('2.04')).toBe(3);
    expect(sig('0.0013')).toBe(2);
    expect(sig('-1.50e2')).toBe(3);
    expect(sig('1/3')).toBe(Infinity);
  });

  it('reads back any finite double from its shortest text', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const p = parseNumber(String(x));
        return p.ok && Object.is(p.value.value, x === 0 ? 0 : x);
      }),
    );
  });
});

describe('parseInteger', () => {
  it('accepts whole numbers only', () => {
    expect(parseInteger('12')).toEqual({ ok: true, value: 12 });
    expect(parseInteger('3.0')).toEqual({ ok: true, value: 3 });
    expect(parseInteger('3.5').ok).toBe(false);
    expect(parseInteger('1e300').ok).toBe(false);
  });
});

describe('parseVector and parseMatrix', () => {
  it('reads the forms people type', () => {
    for (const form of ['[1, 2, 3]', '1, 2, 3', '1 2 3', '[1 2 3]', ['1', 2, '3']]) {
      const p = parseVector(form, 3);
      expect(p.ok && p.value.map((x) => x.value)).toEqual([1, 2, 3]);
    }
    for (const form of [
      '[[1, 2], [3, 4]]',
      '1 2; 3 4',
      '1, 2; 3, 4',
      [
        [1, 2],
        ['3', '4'],
      ],
    ]) {
      const p = parseMatrix(form, 2, 2);
      expect(p.ok && p.value.map((r) => r.map((x) => x.value))).toEqual([
        [1, 2],
        [3, 4],
      ]);
    }
  });

  it('says which entry is wrong and checks the shape', () => {
    expect(parseVector('1, x, 3', 3)).toEqual({ ok: false, error: expect.stringContaining('entry 2') as unknown });
    expect(parseVector('1, 2', 3)).toEqual({ ok: false, error: 'expected 3 entries, got 2' });
    expect(parseMatrix('1 2; 3', 2, 2)).toEqual({ ok: false, error: expect.stringContaining('row 2') as unknown });
    expect(parseVector(42, 1).ok).toBe(false);
  });
});

describe('parseChoice', () => {
  const choices = ['sigmoid', 'tanh', 'relu'];
  it('accepts listed options only', () => {
    expect(parseChoice('tanh', choices, false)).toEqual({ ok: true, value: ['tanh'] });
    expect(parseChoice('softplus', choices, false).ok).toBe(false);
    expect(parseChoice(['tanh', 'sigmoid', 'tanh'], choices, true)).toEqual({ ok: true, value: ['tanh', 'sigmoid'] });
    expect(parseChoice('tanh, relu', choices, true)).toEqual({ ok: true, value: ['tanh', 'relu'] });
    expect(parseChoice(['tanh', 'relu'], choices, false).ok).toBe(false);
    expect(parseChoice([], choices, true)).toEqual({ ok: true, value: [] });
  });
});
