import { describe, expect, it } from 'vitest';
import { positionalEncoding } from '../../../src/engine/nn/positional.js';
import { expectClose, ref } from './helpers.js';

describe('positionalEncoding', () => {
  it('interleaves sin and cos of pos/10000^(2i/d)', () => {
    expectClose(positionalEncoding(3, 6), ref.pe, 15);
    expect(positionalEncoding(0, 4)).toEqual([0, 1, 0, 1]);
    expect(positionalEncoding(1, 2)).toEqual([Math.sin(1), Math.cos(1)]);
  });

  it('ends with a sine for odd d', () => {
    const pe = positionalEncoding(2, 3);
    expect(pe.length).toBe(3);
    expect(pe[2]).toBeCloseTo(Math.sin(2 / 10000 ** (2 / 3)), 15);
  });

  it('requires integer pos ≥ 0 and d ≥ 1', () => {
    expect(() => positionalEncoding(-1, 4)).toThrow('positionalEncoding: pos=-1 must be ≥ 0');
    expect(() => positionalEncoding(1.5, 4)).toThrow('positionalEncoding: pos must be an integer, got 1.5');
    expect(() => positionalEncoding(1, 0)).toThrow('positionalEncoding: d=0 must be ≥ 1');
  });
});
