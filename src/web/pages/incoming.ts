// GET /incoming: the form that sends a secret to one of the operator's recipients; GET /incoming/:key: the sender's
// success page (docs/contracts/ots-incoming-api.md §7, §8.13). Neither ever shows a secret link.
import type { IncomingPublicConfig } from '../../domain/incoming-service.js';
import { html, type SafeHtml } from '../html.js';
import { href, type View } from '../view.js';
import { copyButton, copyStatus, layout, notice } from './layout.js';

export interface IncomingForm {
  config: IncomingPublicConfig;
  /** What went wrong with the last attempt, already in the page's language. */
  error?: string;
  /** What was entered last time, so a refused attempt loses nothing. */
  recipient?: string;
  secret?: string;
  memo?: string;
}

export function incomingPage(view: View, form: IncomingForm): SafeHtml {
  const { t } = view;
  const { recipients, secretMaxLength, memoMaxLength } = form.config;
  const chosen = form.recipient ?? '';
  const options = recipients.map(
    (r) => html`<option value="${r.digest}"${r.digest === chosen && html` selected`}>${r.displayName}</option>`,
  );
  // The newline after <textarea> is eaten by the HTML parser, so a secret starting with one keeps it.
  return layout(
    view,
    t.incomingTitle,
    html`<h1>${t.incomingTitle}</h1>
<p class="lead">${t.incomingIntro}</p>
${notice('error', form.error)}
<form method="post" action="${href(view, '/incoming')}">
<label for="recipient">${t.incomingRecipientLabel}</label>
<select id="recipient" name="recipient" required aria-describedby="recipient-hint">
<option value=""${chosen === '' && html` selected`} disabled>${recipients.length ? t.incomingRecipientPlaceholder : t.incomingNoRecipients}</option>
${options}</select>
<p class="hint" id="recipient-hint">${t.incomingRecipientHint}</p>
<label for="secret">${t.incomingSecretLabel}</label>
<textarea id="secret" name="secret" rows="6" required maxlength="${secretMaxLength}" placeholder="${t.incomingSecretPlaceholder}" autocomplete="off" spellcheck="false" aria-describedby="secret-hint">
${form.secret ?? ''}</textarea>
<p class="hint" id="secret-hint">${t.incomingSecretHint}</p>
<label for="memo">${t.incomingMemoLabel}</label>
<input type="text" id="memo" name="memo" maxlength="${memoMaxLength}" value="${form.memo ?? ''}" placeholder="${t.incomingMemoPlaceholder}" autocomplete="off" aria-describedby="memo-hint">
<p class="hint" id="memo-hint">${t.incomingMemoHint}</p>
<div class="actions"><button type="submit">${t.incomingSendButton}</button> <button type="reset" class="secondary">${t.incomingClearButton}</button></div>
</form>`,
  );
}

export function incomingSentPage(view: View, receiptKey: string): SafeHtml {
  const { t } = view;
  const receipt = href(view, `/receipt/${receiptKey}`);
  return layout(
    view,
    t.incomingSentTitle,
    html`<h1>${t.incomingSentHeading}</h1>
<p class="notice ok" role="status">${t.incomingSentBody}</p>
<label for="reference-id">${t.incomingReferenceLabel}</label>
<div class="copy-row"><input type="text" id="reference-id" class="link" readonly value="${receiptKey}" data-select-on-focus>${copyButton(view, 'reference-id')}</div>
${copyStatus('reference-id')}
<p><a href="${receipt}" target="_blank" rel="noopener">${t.incomingViewReceipt}</a></p>
<h2>${t.incomingNextHeading}</h2>
<p>${t.incomingNextBody}</p>
<p class="actions"><a class="button" href="${href(view, '/incoming')}">${t.incomingSendAnother}</a></p>
<p class="hint">${t.incomingSaveReceipt} <a href="${receipt}">${t.incomingReceiptWord}</a>.</p>`,
  );
}
