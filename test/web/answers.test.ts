/** The exam page's answer handling: what is sent, what counts as blank, and pasting into grids. */
import { describe, expect, it } from 'vitest';
import { emptyAnswer, fromStored, isBlank, parsePasted, toRequest } from '../../web/src/exam/answers.js';
import { explainMiss, readNumber } from '../../web/src/exam/explain.js';

const matrix = { id: 'W', label: 'W', type: 'matrix' as const, points: 1, shape: [2, 3] };
const vector = { id: 'v', label: 'v', type: 'vector' as const, points: 1, shape: [3] };
const multi = { id: 'c', label: 'c', type: 'choice' as const, points: 1, choices: ['a', 'b'], multiple: true };

describe('answers', () => {
  it('makes empty grids of the part shape', () => {
    expect(emptyAnswer(matrix)).toEqual([
      ['', '', ''],
      ['', '', ''],
    ]);
    expect(emptyAnswer(vector)).toEqual(['', '', '']);
    expect(emptyAnswer(multi)).toEqual([]);
  });

  it('counts a grid with one filled cell as answered', () => {
    expect(
      isBlank([
        ['', ''],
        ['', ''],
      ]),
    ).toBe(true);
    expect(
      isBlank([
        ['', '3'],
        ['', ''],
      ]),
    ).toBe(false);
    expect(isBlank('  ')).toBe(true);
    expect(isBlank([])).toBe(true);
  });

  it('leaves blank parts out of a request (the server then says missing, not malformed)', () => {
    expect(toRequest({ a: '', b: '1/4', c: ['', ''], d: [['1', '2']] })).toEqual({ b: '1/4', d: [['1', '2']] });
  });

  it('reads stored answers back as strings for the inputs', () => {
    expect(
      fromStored(matrix, [
        [1, 2, 3],
        [4, 5, 6],
      ]),
    ).toEqual([
      ['1', '2', '3'],
      ['4', '5', '6'],
    ]);
    expect(fromStored(vector, [0.5, 1, 2])).toEqual(['0.5', '1', '2']);
    expect(fromStored(multi, 'a')).toEqual(['a']);
  });

  it('splits pasted rows by tabs, commas, semicolons or spaces, and lines into rows', () => {
    expect(parsePasted('1\t2\t3\n4 5 6')).toEqual([
      ['1', '2', '3'],
      ['4', '5', '6'],
    ]);
    expect(parsePasted('[0.1, 0.2; 0.3]')).toEqual([['0.1', '0.2', '0.3']]);
    expect(parsePasted('  7  ')).toEqual([['7']]);
  });
});

describe('explainMiss', () => {
  it('says how far a number was and what was needed', () => {
    expect(explainMiss('1.99', 2.04, { mode: 'relative', rtol: 0.01, atol: 1e-6 })).toBe('1.99 is 2.45098 % from 2.04; within 1 % was needed.');
    expect(explainMiss('3', 2.5, { mode: 'absolute', atol: 0.1 })).toBe('3 is 0.5 from 2.5; within 0.1 was needed.');
  });

  it('has nothing to say without a released answer or a readable number', () => {
    expect(explainMiss('1.99', undefined, { mode: 'relative', rtol: 0.01 })).toBeUndefined();
    expect(explainMiss('abc', 2, { mode: 'relative', rtol: 0.01 })).toBeUndefined();
  });

  it('reads fractions and scientific notation as the API does', () => {
    expect(readNumber('3/4')).toBe(0.75);
    expect(readNumber('2.5e-3')).toBe(0.0025);
    expect(readNumber('−2')).toBe(-2);
  });
});
