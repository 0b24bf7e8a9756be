// GET /secret/:key : "a secret is waiting" with a Reveal button (and passphrase field); never reveals anything.
// POST /secret/:key ends on revealedPage.
import { html, type SafeHtml } from '../html.js';
import { formatDuration } from '../i18n/index.js';
import { href, type View } from '../view.js';
import { copyButton, copyStatus, layout, notice } from './layout.js';

export interface WaitingSecret {
  key: string;
  passphraseRequired: boolean;
  secretTtl: number;
  /** Why the last attempt failed, already in the page's language. */
  error?: string;
}

export function waitingPage(view: View, s: WaitingSecret): SafeHtml {
  const { t } = view;
  return layout(
    view,
    t.secretTitle,
    html`<h1>${t.secretTitle}</h1>
<p class="lead">${t.secretIntro}</p>
${s.passphraseRequired && html`<p>${t.secretNeedsPassphrase}</p>`}
${notice('error', s.error)}
<form method="post" action="${href(view, `/secret/${s.key}`)}">
${s.passphraseRequired && html`<label for="passphrase">${t.revealPassphraseLabel}</label>
<input type="password" id="passphrase" name="passphrase" required maxlength="128" autocomplete="off"${s.error !== undefined && html` aria-invalid="true" autofocus`}>`}
<div class="actions"><button type="submit">${t.revealButton}</button></div>
</form>
<p class="hint">${t.secretExpiresIn(formatDuration(s.secretTtl, t))}</p>`,
  );
}

export function revealedPage(view: View, value: string): SafeHtml {
  const { t } = view;
  const rows = Math.min(Math.max(value.split('\n').length + 1, 3), 20);
  // The newline after <textarea> is eaten by the HTML parser, so a secret starting with one keeps it.
  return layout(
    view,
    t.revealedTitle,
    html`<h1>${t.revealedTitle}</h1>
<p class="lead">${t.revealedIntro}</p>
<label for="secret-value">${t.revealedValueLabel}</label>
<textarea id="secret-value" rows="${rows}" readonly spellcheck="false" data-select-on-focus>
${value}</textarea>
<div class="actions">${copyButton(view, 'secret-value')}</div>
${copyStatus('secret-value')}
<p class="home"><a href="${href(view, '/')}">${t.home}</a></p>`,
  );
}
