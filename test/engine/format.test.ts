import { describe, expect, it } from 'vitest';
import { compileTemplate, instantiate } from '../../src/engine/index.js';
import { formatNumber, formatValue, placeText, placeholderContexts, texMatrix } from '../../src/engine/format.js';
import { frac, signed, term } from '../../src/engine/helpers.js';

describe('formatNumber', () => {
  it('short, exact decimals; no float noise; −0 is 0', () => {
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(-1e-300 * 1e-300)).toBe('0'); // −0 from an underflow
    expect(formatNumber(2 / 3)).toBe('0.666667');
    expect(formatNumber(2 / 3, 3)).toBe('0.667');
    expect(formatNumber(-0.00000049999, 1)).toBe('-5e-7');
    expect(formatNumber(1234567.891)).toBe('1234570');
    expect(formatNumber(13248)).toBe('13248');
    expect(formatNumber(0.000123)).toBe('0.000123');
    expect(formatNumber(Number.NaN)).toBe('NaN');
  });

  it('scientific notation below 10⁻⁴ and from 10¹⁵, in the notation of where it stands', () => {
    expect(formatNumber(9.87e-7, 6, 'math')).toBe('9.87 \\times 10^{-7}');
    expect(formatNumber(9.87e-7, 6, 'text')).toBe('9.87 × 10⁻⁷');
    expect(formatNumber(9.87e-7, 6, 'code')).toBe('9.87e-7');
    expect(formatNumber(9.87e-7)).toBe('9.87e-7');
    expect(formatNumber(0.0000394, 6, 'math')).toBe('3.94 \\times 10^{-5}');
    expect(formatNumber(-1e-7, 6, 'math')).toBe('-10^{-7}');
    expect(formatNumber(1e-12, 6, 'text')).toBe('10⁻¹²');
    expect(formatNumber(1.5e20, 6, 'math')).toBe('1.5 \\times 10^{20}');
    expect(formatNumber(2 ** 60, 3, 'math')).toBe('1.15 \\times 10^{18}');
    expect(formatNumber(1.2676506002282294e-20, 6, 'math')).toBe('1.26765 \\times 10^{-20}');
  });
});

describe('formatValue', () => {
  it('rounds noise in a vector or matrix relative to its largest entry (12 significant digits)', () => {
    expect(formatValue([1, -1.1102230246251565e-16], 6, 'math')).toBe('[1, 0]');
    expect(formatValue([-5.551115123125783e-17, 0.475])).toBe('[0, 0.475]');
    // Small entries that are not noise next to the others stay.
    expect(formatValue([3e-8, 2e-8], 6, 'math')).toBe('[3 \\times 10^{-8}, 2 \\times 10^{-8}]');
    expect(formatValue([1, 2e-9], 6, 'math')).toBe('[1, 2 \\times 10^{-9}]');
    expect(
      formatValue([
        [1, 5.551115123125783e-17],
        [-0, 2.5e-7],
      ]),
    ).toBe('\\begin{bmatrix} 1 & 0 \\\\ 0 & 2.5 \\times 10^{-7} \\end{bmatrix}');
    expect(texMatrix([[1], [-2.220446049250313e-16]])).toBe('\\begin{bmatrix} 1 \\\\ 0 \\end{bmatrix}');
  });

  it('a list of strings as text, numbers inside strings in the context’s notation', () => {
    expect(formatValue(['sigmoid', 'tanh'])).toBe('sigmoid, tanh');
    expect(placeText('x = 1.5e-7, y = 2e+21', 'math')).toBe('x = 1.5 \\times 10^{-7}, y = 2 \\times 10^{21}');
    expect(placeText('x = 1.5e-7', 'text')).toBe('x = 1.5 × 10⁻⁷');
    expect(placeText('x = 1.5e-7', 'code')).toBe('x = 1.5e-7');
    expect(placeText('one-hot, v2e-3, 1e, e-7, x1e-3', 'math')).toBe('one-hot, v2e-3, 1e, e-7, x1e-3');
  });
});

describe('placeholderContexts', () => {
  const contexts = (text: string) => {
    const ms = [...text.matchAll(/\{\{[\s\S]*?\}\}/g)];
    return placeholderContexts(
      text,
      ms.map((m) => ({ start: m.index, end: m.index + m[0].length })),
    );
  };

  it('reads math as the web app does, code spans and fences as code, the rest as text', () => {
    expect(contexts('$a = {{ x }}$ and {{ y }}, `{{ z }}`')).toEqual(['math', 'text', 'code']);
    expect(contexts('$$\n{{ x }}\n$$ then {{ y }}\n```\nx = {{ z }}\n```\n{{ w }}')).toEqual(['math', 'text', 'code', 'text']);
    // A $ followed by a space opens nothing; \$ is a dollar sign; a placeholder's own $ are not delimiters.
    expect(contexts('costs $ 5 and {{ x }}, \\$ {{ y }}, {{ "$" }} {{ z }}')).toEqual(['text', 'text', 'text', 'text']);
    // A stray $ that never closes does not swallow the next paragraph.
    expect(contexts('$\\frac{a}{b} = {{ x }}.$$\n\nEvery $|w| = {{ y }}$ and {{ z }}')).toEqual(['math', 'math', 'text']);
    expect(contexts('$x^{ {{ n }} } = {{ v }}$')).toEqual(['math', 'math']);
  });

  it('drives {{ }} rendering: one value, three notations', () => {
    const ct = compileTemplate({
      id: 'fmt-test',
      title: 'Formats',
      topic: 'test',
      difficulty: 1,
      params: { t: { type: 'derived', expr: '9.87e-7' }, w: { type: 'derived', expr: '[1, 0.1 + 0.2 - 0.3]' } },
      prompt: 'In math $t = {{ t }}$, in text {{ t }}, in code `{{ t }}`, fmt in math ${{ fmt(t, 2) }}$, noise $w = {{ w }}$.',
      answers: [{ id: 'a', label: 'a', type: 'number', expr: 't' }],
    });
    expect(instantiate(ct, 1).public.prompt).toBe(
      'In math $t = 9.87 \\times 10^{-7}$, in text 9.87 × 10⁻⁷, in code `9.87e-7`, fmt in math $9.9 \\times 10^{-7}$, noise $w = [1, 0]$.',
    );
  });
});

describe('frac, term and signed', () => {
  it('frac: lowest terms, the sign in front, whole numbers as such, short decimals exactly', () => {
    expect(frac(6, 8)).toBe('\\frac{3}{4}');
    expect(frac(-6, 8)).toBe('-\\frac{3}{4}');
    expect(frac(6, -8)).toBe('-\\frac{3}{4}');
    expect(frac(-6, -8)).toBe('\\frac{3}{4}');
    expect(frac(8, 4)).toBe('2');
    expect(frac(0, 5)).toBe('0');
    expect(frac(0.3, 0.4)).toBe('\\frac{3}{4}');
    expect(frac(1, 1024)).toBe('\\frac{1}{1024}');
    expect(frac(1, 2, 'x^2')).toBe('\\frac{1}{2}x^2');
    expect(frac(2, 2, 'x^2')).toBe('x^2');
    expect(frac(4, 2, 'x^2')).toBe('2x^2');
    expect(frac(-2, 2, 'x')).toBe('-x');
    expect(frac(0, 2, 'x')).toBe('0');
    expect(() => frac(1, 0)).toThrow(/frac: the denominator is 0/);
    expect(() => frac(Math.PI, 2)).toThrow(/at most 8 places/);
  });

  it('term and signed: no 1x, no + −', () => {
    expect(term(1, 'x')).toBe('x');
    expect(term(-1, 'x')).toBe('-x');
    expect(term(2.5, 'w_1')).toBe('2.5w_1');
    expect(term(0, 'x')).toBe('0');
    expect(term(-3, '')).toBe('-3');
    expect(signed(4)).toBe('+ 4');
    expect(signed(-4)).toBe('- 4');
    expect(signed(-0.728329)).toBe('- 0.728329');
    expect(signed(0)).toBe('+ 0');
    expect(signed(1, 'y')).toBe('+ y');
    expect(signed(-1, 'y')).toBe('- y');
    expect(signed(0, 'y')).toBe('');
    expect(`${term(1, 'x')} ${signed(-2, 'y')} ${signed(-3)}`).toBe('x - 2y - 3');
    expect(() => term(1, 2 as unknown as string)).toThrow(/term: the variable must be a string/);
  });
});
