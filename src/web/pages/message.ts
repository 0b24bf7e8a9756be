// Pages that only say something: not found (unknown, expired or already read keys; unknown paths) and errors.
import { html, type SafeHtml } from '../html.js';
import { href, type View } from '../view.js';
import { layout } from './layout.js';

export function messagePage(view: View, title: string, text: string): SafeHtml {
  return layout(
    view,
    title,
    html`<h1>${title}</h1>
<p>${text}</p>
<p class="home"><a href="${href(view, '/')}">${view.t.home}</a></p>`,
  );
}
