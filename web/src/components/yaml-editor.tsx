/**
 * The template editor's text area: YAML in a monospace textarea with a line-numbered gutter
 * that marks the lines with errors (✕) and warnings (!), and the list of issues, each a button
 * that puts the caret on its line. Tab keeps moving focus (a keyboard user must be able to
 * leave the field); indenting has its own keys, named in the visible hint: Ctrl+] and Ctrl+[
 * indent and outdent the selected lines by two spaces, and Enter keeps the line's indentation.
 */
import type { RefObject } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { offsetOf, positionOf, positionOfPath, type IssuePath } from '../lib/yaml-lines';

export interface Issue {
  path: IssuePath;
  line?: number;
  column?: number;
  code: string;
  message: string;
}

/** An issue with the place it points at: its own line, else the line of its path in the text it was found in. */
export interface PlacedIssue extends Issue {
  at?: { line: number; column: number };
}

export function placeIssues(source: string, issues: readonly Issue[]): PlacedIssue[] {
  return issues.map((i) => {
    if (i.line !== undefined) return { ...i, at: { line: i.line, column: i.column ?? 1 } };
    const at = positionOfPath(source, i.path, i.message);
    return at ? { ...i, at } : { ...i };
  });
}

export const pathText = (path: IssuePath) => path.join('.');

/** "line 22, answers.0.expr: unknown name 'Q' …" (the message's first line: YAML's own excerpt repeats the text). */
export function issueText(i: PlacedIssue): string {
  const where = [i.at ? `line ${i.at.line}` : '', i.at && i.line !== undefined && i.column !== undefined ? `column ${i.column}` : '', pathText(i.path)]
    .filter(Boolean)
    .join(', ');
  let message = i.message.split('\n')[0].trim();
  // The engine's messages may start with the path again ("answers[0].expr: unknown name …").
  const bracketed = i.path.map((p, k) => (typeof p === 'number' ? `[${p}]` : `${k ? '.' : ''}${p}`)).join('');
  for (const prefix of [bracketed, pathText(i.path)]) if (prefix && message.startsWith(`${prefix}: `)) message = message.slice(prefix.length + 2);
  return where ? `${where}: ${message}` : message;
}

/** Puts the caret at a line and column of a textarea and scrolls that line into view. */
export function moveCaret(ta: HTMLTextAreaElement, line: number, column = 1): void {
  const offset = offsetOf(ta.value, line, column);
  ta.focus();
  ta.setSelectionRange(offset, offset);
  const lineHeight = parseFloat(getComputedStyle(ta).lineHeight) || 20;
  ta.scrollTop = Math.max(0, (line - 1) * lineHeight - ta.clientHeight / 3);
}

/** Replaces the selection with text through the browser's editing, so Ctrl+Z undoes it. */
function insertText(ta: HTMLTextAreaElement, text: string): void {
  // execCommand (deprecated, still everywhere) is the only edit of a textarea that keeps the undo history.
  if (document.execCommand('insertText', false, text)) return;
  ta.setRangeText(text, ta.selectionStart, ta.selectionEnd, 'end');
  ta.dispatchEvent(new Event('input', { bubbles: true }));
}

function onKeyDown(e: KeyboardEvent & { currentTarget: HTMLTextAreaElement }): void {
  const ta = e.currentTarget;
  const { value, selectionStart: start, selectionEnd: end } = ta;
  if (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey) {
    const lineStart = value.lastIndexOf('\n', start - 1) + 1;
    const before = value.slice(lineStart, start);
    // The line's indentation (a list item's content's, after "- "); one level more after
    // "key:" or a block scalar's "|".
    const m = /^(\s*)(- )?/.exec(before);
    let indent = (m?.[1] ?? '') + (m?.[2] ? '  ' : '');
    if (/(:|[|>][-+]?)\s*$/.test(before)) indent += '  ';
    e.preventDefault();
    insertText(ta, `\n${indent}`);
    return;
  }
  if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === ']' || e.key === '[')) {
    e.preventDefault();
    const from = value.lastIndexOf('\n', start - 1) + 1;
    const nextNl = value.indexOf('\n', end > start && value[end - 1] === '\n' ? end - 1 : end);
    const to = nextNl === -1 ? value.length : nextNl;
    const lines = value.slice(from, to).split('\n');
    const changed = lines.map((l) => (e.key === ']' ? (l.length ? `  ${l}` : l) : l.replace(/^ {1,2}/, ''))).join('\n');
    ta.setSelectionRange(from, to);
    insertText(ta, changed);
    ta.setSelectionRange(from, from + changed.length);
  }
}

export function YamlEditor(props: {
  id: string;
  label: string;
  value: string;
  onInput: (text: string) => void;
  errors: readonly PlacedIssue[];
  warnings: readonly PlacedIssue[];
  describedBy: string;
  textareaRef: RefObject<HTMLTextAreaElement | null>;
}) {
  const gutter = useRef<HTMLDivElement>(null);
  const [caret, setCaret] = useState<{ line: number; column: number }>({ line: 1, column: 1 });
  const lineCount = props.value.split('\n').length;
  const errorLines = new Set(props.errors.flatMap((i) => (i.at ? [i.at.line] : [])));
  const warningLines = new Set(props.warnings.flatMap((i) => (i.at ? [i.at.line] : [])));
  const track = (ta: HTMLTextAreaElement) => setCaret(positionOf(ta.value, ta.selectionStart));
  const sync = (ta: HTMLTextAreaElement) => {
    if (gutter.current) gutter.current.scrollTop = ta.scrollTop;
  };
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <span class="hint" id={`${props.id}-hint`}>
        Tab moves on to the next control. To indent the selected lines press Ctrl+] (outdent: Ctrl+[); Enter keeps the line’s indentation. Errors are checked as
        you type.
      </span>
      <div class="code-editor">
        <div class="gutter" aria-hidden="true" ref={gutter}>
          {Array.from({ length: lineCount }, (_, i) => {
            const n = i + 1;
            const bad = errorLines.has(n);
            const warn = !bad && warningLines.has(n);
            return (
              <div key={n} data-line={n} class={`${bad ? 'bad' : warn ? 'warn' : ''}${caret.line === n ? ' here' : ''}`}>
                <span class="mark">{bad ? '✕' : warn ? '!' : ''}</span>
                {n}
              </div>
            );
          })}
        </div>
        <textarea
          id={props.id}
          ref={props.textareaRef}
          value={props.value}
          rows={24}
          wrap="off"
          spellcheck={false}
          autocomplete="off"
          autocapitalize="off"
          aria-invalid={props.errors.length > 0 || undefined}
          aria-describedby={`${props.id}-hint ${props.describedBy}`}
          onInput={(e) => {
            props.onInput(e.currentTarget.value);
            track(e.currentTarget);
          }}
          onKeyDown={onKeyDown}
          onKeyUp={(e) => track(e.currentTarget)}
          onClick={(e) => track(e.currentTarget)}
          onFocus={(e) => track(e.currentTarget)}
          onScroll={(e) => sync(e.currentTarget)}
        />
      </div>
      <span class="hint caret-pos">
        Line {caret.line}, column {caret.column} of {lineCount} lines
      </span>
    </div>
  );
}

/** A list of issues; each one with a line is a button that puts the caret there. */
export function IssueList(props: { id: string; title: string; issues: readonly PlacedIssue[]; kind: 'error' | 'warning'; onGo: (i: PlacedIssue) => void }) {
  if (!props.issues.length) return null;
  return (
    <div class={`issues ${props.kind}`} id={props.id}>
      <h3>
        {props.title} ({props.issues.length})
      </h3>
      <ul>
        {props.issues.map((i, k) => (
          <li key={k}>
            {i.at ? (
              <button type="button" class="issue" onClick={() => props.onGo(i)}>
                <span class="mark" aria-hidden="true">
                  {props.kind === 'error' ? '✕' : '!'}
                </span>{' '}
                {issueText(i)}
              </button>
            ) : (
              <span class="issue">
                <span class="mark" aria-hidden="true">
                  {props.kind === 'error' ? '✕' : '!'}
                </span>{' '}
                {issueText(i)}
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
