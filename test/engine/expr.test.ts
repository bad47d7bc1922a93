import { describe, expect, it } from 'vitest';
import { compileExpression, ExpressionError } from '../../src/engine/index.js';

const names = new Set(['a', 'v', 'M', 'act']);
const scope = () =>
  new Map<string, unknown>([
    ['a', 2],
    ['v', [1, 2, 3]],
    [
      'M',
      [
        [1, 2],
        [3, 4],
      ],
    ],
    ['act', 'l1'],
  ]);
const run = (src: string) => compileExpression(src, names, 'test').evaluate(scope());

describe('compileExpression', () => {
  it('evaluates arithmetic, matrices, engine functions and helpers', () => {
    expect(run('a^2 + 1')).toBe(5);
    expect(run('M * v[1:2]')).toEqual([5, 11]);
    expect(run('sum(M)')).toBe(10);
    expect(run('svmLoss([3.2, 5.1, -1.7], 0)')).toBeCloseTo(2.9, 12);
    expect(run('momentumStep(1, 0, 2, 0.1, 0.9).x')).toBeCloseTo(0.8, 12);
    expect(run('gradient("x*y", {x: a, y: 3}).x')).toBe(3);
    expect(run('at(v, 0) + argmax(v)')).toBe(3);
    expect(run('M[2, :]')).toEqual([3, 4]);
    expect(run('equalText(act, "l1") ? 1 : 0')).toBe(1);
    expect(run('map(v, sigmoid)')).toHaveLength(3);
  });

  it.each([
    ['import({x: 1})', /function 'import' is not allowed/],
    ['evaluate("1+1")', /not allowed/],
    ['parse("1")', /not allowed/],
    ['createUnit("foo")', /not allowed/],
    ['simplify("x+x")', /not allowed/],
    ['f(x) = x', /not allowed in a template expression/],
    ['a = 3', /not allowed in a template expression/],
    ['1; 2', /not allowed/],
    ['1:1e9', /ranges .* only allowed inside an index/],
    ['zeros(100000, 100000)', /at most 10000 elements/],
    ['b + 1', /unknown name 'b'/],
    ['cos.constructor', /unknown name|not allowed|No access/],
    ['v["constructor"]', /./],
  ])('refuses %s', (src, msg) => {
    expect(() => run(src)).toThrow(msg);
  });

  it('caps length and depth and reports parse positions', () => {
    expect(() => run('1+'.repeat(600) + '1')).toThrow(/longer than 1000/);
    expect(() => run('('.repeat(50) + '1' + ')'.repeat(50))).toThrow(/nesting deeper than 40/);
    try {
      compileExpression('2 * * 3', names, 'answers[0].expr');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ExpressionError);
      expect((err as ExpressionError).message).toMatch(/^answers\[0\]\.expr: cannot parse/);
      expect((err as ExpressionError).position).toBeTypeOf('number');
    }
  });
});
