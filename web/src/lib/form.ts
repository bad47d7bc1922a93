/** formText(form, name): a text field's value ('' when absent; file inputs are not used). */
export function formText(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === 'string' ? v : '';
}
