/**
 * The pages' template engine: a tagged template literal that escapes every interpolated
 * value unless it is already `Html` (another template's output). Arrays are joined, and
 * null, undefined and false render nothing, so conditions and lists read as plain
 * expressions: html`<ul>${items.map((i) => html`<li>${i.name}</li>`)}</ul>`.
 */
export class Html {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and for quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Text that is markup already (a constant of this code, never input): use sparingly. */
export function trusted(markup: string): Html {
  return new Html(markup);
}
