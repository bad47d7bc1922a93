/**
 * The input fitted to a part: a text box for a number, a grid of cells for a vector or matrix
 * (arrow keys move between cells, pasting a row of numbers fills it), radios or checkboxes for
 * choices. The part's label is the accessible name; its tolerance is said in words.
 */
import { gridShape, parsePasted, type AnswerValue, type PartShape } from '../exam/answers';
import { renderInline } from '../lib/markdown';

interface Props {
  part: PartShape;
  idPrefix: string;
  value: AnswerValue;
  onChange: (v: AnswerValue) => void;
  disabled?: boolean;
  /** Per-element correctness after grading (grids), to mark wrong cells. */
  elements?: boolean[];
}

const FORMAT_HINT: Record<string, string> = {
  number: 'A number: decimal (0.25), scientific (2.5e-1) or a fraction (1/4).',
  integer: 'A whole number.',
  vector: 'One number per cell.',
  matrix: 'One number per cell; paste rows of numbers to fill several cells.',
};

function Label({ part, id }: { part: PartShape; id: string }) {
  return (
    <span class="part-label" id={id}>
      <span dangerouslySetInnerHTML={{ __html: renderInline(part.label) }} />
      <span class="points">
        {' '}
        ({part.points} {part.points === 1 ? 'point' : 'points'})
      </span>
    </span>
  );
}

function Hints({ part, id }: { part: PartShape; id: string }) {
  return (
    <span class="hint" id={id}>
      {FORMAT_HINT[part.type]}
      {part.toleranceText && <> Accepted {part.toleranceText}.</>}
    </span>
  );
}

export function AnswerInput(props: Props) {
  const { part, idPrefix } = props;
  const labelId = `${idPrefix}-label`;
  const hintId = `${idPrefix}-hint`;
  if (part.type === 'choice') return <ChoiceInput {...props} labelId={labelId} />;
  if (part.type === 'vector' || part.type === 'matrix') {
    return (
      <div class="part">
        <Label part={part} id={labelId} />
        <Hints part={part} id={hintId} />
        <Grid {...props} labelId={labelId} hintId={hintId} />
      </div>
    );
  }
  const inputId = `${idPrefix}-input`;
  return (
    <div class="part">
      <label for={inputId}>
        <Label part={part} id={labelId} />
      </label>
      <Hints part={part} id={hintId} />
      <input
        id={inputId}
        class="number"
        type="text"
        inputMode={part.type === 'integer' ? 'numeric' : 'decimal'}
        autocomplete="off"
        spellcheck={false}
        aria-describedby={hintId}
        value={props.value as string}
        disabled={props.disabled}
        onInput={(e) => props.onChange(e.currentTarget.value)}
      />
    </div>
  );
}

function Grid(props: Props & { labelId: string; hintId: string }) {
  const { part } = props;
  const [rows, cols] = gridShape(part);
  const isVector = part.type === 'vector';
  const cells: string[][] = isVector ? [props.value as string[]] : (props.value as string[][]);
  const cellId = (r: number, c: number) => `${props.idPrefix}-r${r}c${c}`;
  const set = (next: string[][]) => props.onChange(isVector ? next[0] : next);
  const update = (r: number, c: number, v: string) => set(cells.map((row, i) => (i === r ? row.map((x, j) => (j === c ? v : x)) : [...row])));
  const focus = (r: number, c: number) => document.getElementById(cellId(Math.max(0, Math.min(rows - 1, r)), Math.max(0, Math.min(cols - 1, c))))?.focus();
  return (
    <table class="grid" role="grid" aria-labelledby={props.labelId} aria-describedby={props.hintId}>
      <tbody>
        {Array.from({ length: rows }, (_, r) => (
          <tr key={r}>
            {Array.from({ length: cols }, (_, c) => {
              const wrong = props.elements ? props.elements[r * cols + c] === false : false;
              return (
                <td key={c} class={wrong ? 'wrong' : undefined}>
                  <span class="visually-hidden" id={`${cellId(r, c)}-pos`}>
                    {isVector ? `entry ${c + 1} of ${cols}` : `row ${r + 1}, column ${c + 1}`}
                  </span>
                  <input
                    id={cellId(r, c)}
                    type="text"
                    inputMode="decimal"
                    autocomplete="off"
                    spellcheck={false}
                    aria-labelledby={`${props.labelId} ${cellId(r, c)}-pos`}
                    aria-invalid={wrong || undefined}
                    value={cells[r]?.[c] ?? ''}
                    disabled={props.disabled}
                    onInput={(e) => update(r, c, e.currentTarget.value)}
                    onKeyDown={(e) => {
                      const el = e.currentTarget;
                      const atStart = el.selectionStart === 0 && el.selectionEnd === 0;
                      const atEnd = el.selectionStart === el.value.length;
                      if (e.key === 'ArrowUp') focus(r - 1, c);
                      else if (e.key === 'ArrowDown') focus(r + 1, c);
                      else if (e.key === 'ArrowLeft' && atStart) focus(r, c - 1);
                      else if (e.key === 'ArrowRight' && atEnd) focus(r, c + 1);
                      else return;
                      e.preventDefault();
                    }}
                    onPaste={(e) => {
                      const pasted = parsePasted(e.clipboardData?.getData('text') ?? '');
                      if (pasted.length === 1 && pasted[0].length <= 1) return; // one value: the browser's own paste
                      e.preventDefault();
                      const next = cells.map((row) => [...row]);
                      pasted.forEach((prow, i) =>
                        prow.forEach((v, j) => {
                          if (r + i < rows && c + j < cols) next[r + i][c + j] = v;
                        }),
                      );
                      set(next);
                    }}
                  />
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ChoiceInput(props: Props & { labelId: string }) {
  const { part } = props;
  const multiple = part.multiple === true;
  const selected = new Set(multiple ? (props.value as string[]) : [props.value as string]);
  return (
    <fieldset class="part choice">
      <legend>
        <Label part={part} id={props.labelId} />
      </legend>
      {multiple && <span class="hint">Select all that apply.</span>}
      {(part.choices ?? []).map((choice, i) => {
        const id = `${props.idPrefix}-c${i}`;
        return (
          <div class="choice-row" key={choice}>
            <input
              id={id}
              type={multiple ? 'checkbox' : 'radio'}
              name={props.idPrefix}
              value={choice}
              checked={selected.has(choice)}
              disabled={props.disabled}
              onChange={(e) => {
                if (!multiple) return props.onChange(choice);
                const next = new Set(selected);
                if (e.currentTarget.checked) next.add(choice);
                else next.delete(choice);
                props.onChange((part.choices ?? []).filter((c) => next.has(c)));
              }}
            />
            <label for={id} dangerouslySetInnerHTML={{ __html: renderInline(choice) }} />
          </div>
        );
      })}
    </fieldset>
  );
}
