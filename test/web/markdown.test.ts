/**
 * Instructor text is untrusted: the renderer the web app uses for prompts and solutions must
 * turn script tags, event-handler attributes and javascript: links into inert text, and keep
 * KaTeX's MathML for screen readers.
 */
import { describe, expect, it } from 'vitest';
import { renderInline, renderMarkdown } from '../../web/src/lib/markdown.js';

const hostile = [
  'Compute $x^2$. <script>alert(1)</script>',
  '<img src=x onerror="alert(1)">',
  '[click me](javascript:alert(1))',
  '[also](JaVaScRiPt:alert(1)) and [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![img](javascript:alert(1))',
  '$\\href{javascript:alert(1)}{x}$ and $\\url{javascript:alert(1)}$',
  '<a href="javascript:alert(1)">raw link</a>',
  '$$\n\\htmlId{x}{y} \\includegraphics{https://evil.example/x.png}\n$$',
].join('\n\n');

describe('renderMarkdown', () => {
  const html = renderMarkdown(hostile);

  it('leaves no element that runs code', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img[^>]*onerror/i);
    expect(html).not.toMatch(/<[^>]*\son\w+\s*=/i); // an event-handler attribute inside a tag
    expect(html).not.toMatch(/href\s*=\s*"\s*javascript:/i);
    expect(html).not.toMatch(/src\s*=\s*"\s*javascript:/i);
    expect(html).not.toMatch(/href\s*=\s*"\s*data:/i);
    expect(html).not.toMatch(/<a href="javascript/i);
    expect(html).not.toMatch(/<img[^>]*evil\.example/i);
  });

  it('shows the hostile markup as text', () => {
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(html).toContain('[click me](javascript:alert(1))');
  });

  it('typesets math with KaTeX, keeping MathML for screen readers', () => {
    const out = renderMarkdown('The loss is $L = \\sum_j \\max(0, s_j - s_y + 1)$.');
    expect(out).toContain('<math');
    expect(out).toContain('class="katex-html" aria-hidden="true"');
  });

  it('renders display math blocks and tables', () => {
    const out = renderMarkdown('$$\nW_2 = \\frac{W - F + 2P}{S} + 1\n$$\n\n| a | b |\n|---|---|\n| 1 | 2 |');
    expect(out).toContain('class="math-block"');
    expect(out).toContain('display="block"');
    expect(out).toContain('<table>');
  });

  it('keeps ordinary links, with rel=noopener', () => {
    expect(renderInline('[notes](https://example.org/notes)')).toBe('<a href="https://example.org/notes" rel="noopener noreferrer nofollow">notes</a>');
  });

  it('leaves a lone dollar sign alone', () => {
    expect(renderInline('costs $5 and $ 6')).toBe('costs $5 and $ 6');
  });
});
