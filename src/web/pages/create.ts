// GET / : the form that creates a secret.
import { html, type SafeHtml } from '../html.js';
import { formatDuration } from '../i18n/index.js';
import { href, type View } from '../view.js';
import { layout, notice } from './layout.js';

export interface CreateForm {
  ttlChoices: number[];
  selectedTtl: number;
  maxSecretBytes: number;
  passphraseMinLength: number;
  /** What went wrong with the last attempt, already in the page's language. */
  error?: string;
  /** The text typed last time, so a refused attempt does not lose it. */
  secret?: string;
}

export function createPage(view: View, form: CreateForm): SafeHtml {
  const { t } = view;
  const min = form.passphraseMinLength;
  const options = form.ttlChoices.map(
    (s) => html`<option value="${s}"${s === form.selectedTtl && html` selected`}>${formatDuration(s, t)}</option>`,
  );
  // The newline after <textarea> is eaten by the HTML parser, so a secret starting with one keeps it.
  return layout(
    view,
    t.createTitle,
    html`<h1>${t.createTitle}</h1>
<p class="lead">${t.createIntro}</p>
${notice('error', form.error)}
<form method="post" action="${href(view, '/')}">
<label for="secret">${t.secretLabel}</label>
<textarea id="secret" name="secret" rows="6" required maxlength="${form.maxSecretBytes}" autocomplete="off" spellcheck="false" aria-describedby="secret-hint" autofocus>
${form.secret ?? ''}</textarea>
<p class="hint" id="secret-hint">${t.secretHint(form.maxSecretBytes)}</p>
<label for="passphrase">${t.passphraseLabel}</label>
<input type="password" id="passphrase" name="passphrase" maxlength="128"${min > 0 && html` minlength="${min}"`} autocomplete="new-password" aria-describedby="passphrase-hint">
<p class="hint" id="passphrase-hint">${t.passphraseHint}${min > 0 && ` ${t.passphraseMinHint(min)}`}</p>
<label for="ttl">${t.ttlLabel}</label>
<select id="ttl" name="ttl">${options}</select>
<div class="actions"><button type="submit">${t.createButton}</button></div>
</form>`,
  );
}
