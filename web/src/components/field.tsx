/** A labelled form field whose error (from the API's validation details) sits under it. */
import type { PartialSelectHTMLAttributes, TargetedInputEvent } from 'preact';

/** The input attributes the app's forms use. */
interface InputProps {
  name?: string;
  type?: 'text' | 'email' | 'password' | 'number' | 'date' | 'datetime-local' | 'url';
  value?: string;
  defaultValue?: string;
  onInput?: (e: TargetedInputEvent<HTMLInputElement>) => void;
  required?: boolean;
  autocomplete?: string;
  min?: number;
  minLength?: number;
  step?: string;
}

let seq = 0;
const nextId = () => `f${++seq}`;

export function Field(props: { label: string; error?: string; hint?: string; id?: string } & InputProps) {
  const { label, error, hint, id: given, ...input } = props;
  const id = given ?? (input.name ? `field-${input.name}` : nextId());
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && (
        <span class="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      <TypedInput {...input} id={id} invalid={Boolean(error)} describedBy={described} />
      {error && (
        <span class="field-error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}

export function SelectField(
  props: { label: string; error?: string; id?: string; options: readonly (string | [string, string])[] } & Omit<
    PartialSelectHTMLAttributes<HTMLSelectElement>,
    'id' | 'role' | 'name'
  > & { name?: string },
) {
  const { label, error, id: given, options, ...select } = props;
  const id = given ?? (select.name ? `field-${select.name}` : nextId());
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} {...select}>
        {options.map((o) => {
          const [value, text] = typeof o === 'string' ? [o, o] : o;
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </select>
      {error && (
        <span class="field-error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}

/** preact's input types tie `type` to a literal; one branch per type the forms use. */
function TypedInput(props: InputProps & { id: string; invalid: boolean; describedBy?: string }) {
  const { type, invalid, describedBy, ...rest } = props;
  const a = { ...rest, 'aria-invalid': invalid || undefined, 'aria-describedby': describedBy };
  switch (type) {
    case 'email':
      return <input type="email" {...a} />;
    case 'password':
      return <input type="password" {...a} />;
    case 'number':
      return <input type="number" {...a} />;
    case 'date':
      return <input type="date" {...a} />;
    case 'datetime-local':
      return <input type="datetime-local" {...a} />;
    case 'url':
      return <input type="url" {...a} />;
    case 'text':
    case undefined:
      return <input type="text" {...a} />;
  }
}
