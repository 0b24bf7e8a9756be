// HTML built only through the `html` tag: every interpolated value is escaped unless it is already SafeHtml,
// so a secret, a key or a catalogue string can never become markup.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What a template may interpolate; false, null and undefined render nothing (for `cond && html`...``). */
export type Html = SafeHtml | string | number | boolean | null | undefined | readonly Html[];

function render(part: Html): string {
  if (part === null || part === undefined || typeof part === 'boolean') return '';
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Html[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}
