/**
 * Prompts and solutions: Markdown with raw HTML off (instructor text is untrusted), math
 * between $…$ (inline) or $$…$$ (display) typeset by KaTeX without `trust`, keeping KaTeX's
 * MathML for screen readers. markdown-it's link validation already refuses javascript:,
 * vbscript: and data: URLs; links open with rel=noopener.
 */
import MarkdownIt, { type StateBlock, type StateInline } from 'markdown-it';
import katex from 'katex';
import 'katex/dist/katex.min.css';

function tex(source: string, displayMode: boolean): string {
  return katex.renderToString(source, {
    displayMode,
    throwOnError: false,
    output: 'htmlAndMathml',
    trust: false,
    strict: 'ignore',
    maxSize: 50,
    maxExpand: 500,
  });
}

function mathInline(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  if (src.charCodeAt(start) !== 0x24 /* $ */) return false;
  const display = src.charCodeAt(start + 1) === 0x24;
  const open = display ? 2 : 1;
  if (!display && /\s/.test(src[start + 1] ?? ' ')) return false;
  let end = start + open;
  // As in Pandoc: an inline closing $ follows a non-space and is not followed by a digit ("$5 and $6").
  for (;;) {
    end = src.indexOf(display ? '$$' : '$', end);
    if (end < 0) return false;
    const escaped = src.charCodeAt(end - 1) === 0x5c; /* \ */
    const badClose = !display && (/\s/.test(src[end - 1]) || /\d/.test(src[end + 1] ?? ''));
    if (!escaped && !badClose) break;
    end++;
  }
  if (end === start + open) return false;
  if (!silent) {
    const token = state.push(display ? 'math_display_inline' : 'math_inline', 'math', 0);
    token.content = src.slice(start + open, end);
  }
  state.pos = end + open;
  return true;
}

function mathBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  const first = state.src.slice(state.bMarks[startLine] + state.tShift[startLine], state.eMarks[startLine]);
  if (!first.startsWith('$$')) return false;
  let body = first.slice(2);
  let line = startLine;
  let closed = body.trimEnd().endsWith('$$') && body.trim().length >= 2;
  if (closed) body = body.trimEnd().slice(0, -2);
  while (!closed && ++line < endLine) {
    const text = state.src.slice(state.bMarks[line] + state.tShift[line], state.eMarks[line]);
    if (text.trimEnd().endsWith('$$')) {
      body += `\n${text.trimEnd().slice(0, -2)}`;
      closed = true;
    } else body += `\n${text}`;
  }
  if (!closed) return false;
  if (silent) return true;
  const token = state.push('math_block', 'math', 0);
  token.content = body;
  token.map = [startLine, line + 1];
  state.line = line + 1;
  return true;
}

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
md.inline.ruler.after('escape', 'math_inline', mathInline);
md.block.ruler.after('blockquote', 'math_block', mathBlock, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
md.renderer.rules.math_inline = (tokens, i) => tex(tokens[i].content, false);
md.renderer.rules.math_display_inline = (tokens, i) => tex(tokens[i].content, true);
md.renderer.rules.math_block = (tokens, i) => `<div class="math-block">${tex(tokens[i].content, true)}</div>`;
const defaultLink = md.renderer.rules.link_open ?? ((tokens, i, options, _env, self) => self.renderToken(tokens, i, options));
md.renderer.rules.link_open = (tokens, i, options, env, self) => {
  tokens[i].attrSet('rel', 'noopener noreferrer nofollow');
  return defaultLink(tokens, i, options, env, self);
};

/** renderMarkdown(text): safe HTML for a prompt or solution. */
export function renderMarkdown(text: string): string {
  return md.render(text);
}

/** renderInline(text): safe HTML for one line (a part's label), no paragraph around it. */
export function renderInline(text: string): string {
  return md.renderInline(text);
}
