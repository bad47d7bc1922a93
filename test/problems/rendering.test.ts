/**
 * Every catalogue template, rendered for many seeds: prompts, solutions, part labels and choice
 * options read as a person would write them. Code (fenced blocks and `spans`, where the course
 * notes' Python lives) is left out: `1e-7` is right there.
 */
import { describe, expect, it } from 'vitest';
import { instantiate, loadCatalogue } from '../../src/engine/index.js';

const SEEDS = 200;

/** What a person would not write, each with an example of it. */
const UNWRITTEN: readonly { what: string; pattern: RegExp }[] = [
  { what: 'exponent notation (9.87e-7) instead of 9.87 × 10⁻⁷', pattern: /\d(?:\.\d+)?e[+-]?\d/ },
  { what: 'a coefficient 1 (1x)', pattern: /(?<![\w.\\{])1(?:[a-zA-Z](?![a-zA-Z])|\\(?:alpha|beta|gamma|lambda|mu|sigma|theta|eta|omega)\b)/ },
  { what: 'a negative term after + (+ -4)', pattern: /\+\s*[-−]/ },
  { what: 'a negative term after − (- -4)', pattern: /(?<![-−])[-−]\s+[-−]\s*\d/ },
  { what: 'float noise (0.30000000000000004, 0.1999999999)', pattern: /\d\.\d*(?:0{8,}|9{8,})\d/ },
  { what: 'a negative zero (-0)', pattern: /(?<![\w.\-−])[-−]0(?![.\d])/ },
  { what: 'NaN or Infinity', pattern: /\b(?:NaN|Infinity)\b/ },
];

/** The text without its code: fenced blocks and inline code spans. */
function withoutCode(text: string): string {
  return text.replace(/^\s*(```|~~~)[\s\S]*?^\s*\1.*$/gm, '').replace(/(`+)[\s\S]*?\1/g, '');
}

describe('rendered templates', () => {
  it('the patterns find what they are for, and not the notes’ code', () => {
    const bad = ['$x = 9.87e-7$', '$\\nabla f = 1x$', '(1 + -0.72)', '$8 - -4$', '0.30000000000000004', '$x = -0$', 'NaN'];
    for (const text of bad)
      expect(
        UNWRITTEN.some((u) => u.pattern.test(text)),
        text,
      ).toBe(true);
    const good = ['$9.87 \\times 10^{-7}$', '$x - 4$', '$1 \\times 1$ filters', '$-0.5$', '$0.000123$', '$10^{-0.5}$', '$x_{t+1}$', '|---|---|', '$1/D$'];
    for (const text of good)
      expect(
        UNWRITTEN.filter((u) => u.pattern.test(text)).map((u) => u.what),
        text,
      ).toEqual([]);
    expect(withoutCode('a\n```\nx += 1e-7\n```\nb `eps = 1e-8` c')).toBe('a\n\nb  c');
  });

  it(`every template, seeds 1…${SEEDS}: no exponent notation, 1x, + −, − −, float noise or −0 in prompt, solution, labels or options`, () => {
    const found = new Map<string, string>();
    for (const ct of loadCatalogue('problems')) {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const v = instantiate(ct, seed);
        const texts: [string, string][] = [
          ['prompt', v.public.prompt],
          ['solution', v.secret.solution],
          ...v.public.parts.map((p): [string, string] => [`parts.${p.id}`, [p.label, ...(p.choices ?? [])].join('\n')]),
        ];
        for (const [field, text] of texts) {
          const plain = withoutCode(text);
          for (const { what, pattern } of UNWRITTEN) {
            const m = pattern.exec(plain);
            const key = `${ct.template.id} ${field}: ${what}`;
            if (m && !found.has(key)) found.set(key, `seed ${seed}: …${plain.slice(Math.max(0, m.index - 40), m.index + 30)}…`);
          }
        }
      }
    }
    expect(Object.fromEntries(found)).toEqual({});
  });
});
