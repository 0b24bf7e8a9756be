// GET /private/:key : the creator's receipt — share link, passphrase set, state, time left, burn button.
// POST /private/:key/burn ends on burnedPage.
import { UNREAD_STATES } from '../../domain/receipt.js';
import type { ReceiptView } from '../../api/v1/receipt-view.js';
import { html, type SafeHtml } from '../html.js';
import { formatDuration } from '../i18n/index.js';
import { href, type View } from '../view.js';
import { copyButton, copyStatus, layout, notice } from './layout.js';

export interface ReceiptPageOptions {
  publicUrl: string;
  nowSeconds: number;
  /** Why the last burn attempt failed, already in the page's language. */
  error?: string;
  /** An incoming receipt: its recipient and memo are shown, its secret link never (only the recipient has it). */
  incoming?: { recipientName: string; memo: string };
}

function facts(view: View, r: ReceiptView, unread: boolean, nowSeconds: number): SafeHtml {
  const { t } = view;
  return html`<dl class="facts">
<dt>${t.stateTerm}</dt><dd id="state" data-state="${r.state}">${t.states[r.state]}</dd>
${unread && html`<dt>${t.passphraseTerm}</dt><dd id="passphrase-state">${r.passphrase_required ? t.passphraseSet : t.passphraseNotSet}</dd>`}
${unread && typeof r.secret_ttl === 'number' && html`<dt>${t.expiresTerm}</dt><dd id="time-left">${formatDuration(r.secret_ttl, t)}</dd>`}
${r.received !== undefined && html`<dt>${t.readTerm}</dt><dd><time datetime="${new Date(r.received * 1000).toISOString()}">${t.ago(formatDuration(nowSeconds - r.received, t))}</time></dd>`}
</dl>`;
}

function burnForm(view: View, r: ReceiptView, error: string | undefined): SafeHtml {
  const { t } = view;
  return html`<h2>${t.burnHeading}</h2>
<p>${t.burnHint}</p>
${notice('error', error)}
<form method="post" action="${href(view, `/private/${r.metadata_key}/burn`)}">
${r.passphrase_required && html`<label for="burn-passphrase">${t.burnPassphraseLabel}</label>
<input type="password" id="burn-passphrase" name="passphrase" required maxlength="128" autocomplete="off">`}
<div class="actions"><button type="submit" class="danger">${t.burnButton}</button></div>
</form>`;
}

export function receiptPage(view: View, r: ReceiptView, opts: ReceiptPageOptions): SafeHtml {
  const { t } = view;
  const unread = UNREAD_STATES.includes(r.state) && (Boolean(r.secret_key) || opts.incoming !== undefined);
  const linked = unread && opts.incoming === undefined;
  const shareUrl = `${opts.publicUrl}/secret/${r.secret_key ?? ''}`;
  const gone = r.state === 'new' || r.state === 'viewed' ? undefined : t.goneMessages[r.state];
  // Once the secret is gone there is no link to show: the page is the secret's status, titled so.
  const title = linked ? t.receiptTitle : t.detailsHeading;
  // The link wraps (a textarea, not an input) so that on a phone the whole key shows, not only `…/secret/r`.
  return layout(
    view,
    title,
    html`<h1>${title}</h1>
${
  linked
    ? html`<p class="lead">${t.receiptIntro}</p>
<label for="share-link">${t.shareLinkLabel}</label>
<div class="copy-row"><textarea id="share-link" class="link" rows="2" readonly data-select-on-focus>${shareUrl}</textarea>${copyButton(view, 'share-link')}</div>
${copyStatus('share-link')}
<h2>${t.detailsHeading}</h2>`
    : gone && html`<p class="notice ok">${gone}</p>`
}
${opts.incoming && html`<dl class="facts"><dt>${t.recipientTerm}</dt><dd id="recipient-name">${opts.incoming.recipientName}</dd>
${opts.incoming.memo && html`<dt>${t.memoTerm}</dt><dd id="memo">${opts.incoming.memo}</dd>`}</dl>`}
${facts(view, r, unread, opts.nowSeconds)}
<p class="hint">${t.receiptKeptFor(formatDuration(r.metadata_ttl, t))} ${t.receiptPrivate}</p>
${unread && burnForm(view, r, opts.error)}
<p class="home"><a href="${href(view, '/')}">${t.home}</a></p>`,
  );
}

export function burnedPage(view: View, metadataKey: string): SafeHtml {
  const { t } = view;
  return layout(
    view,
    t.burnedTitle,
    html`<h1>${t.burnedTitle}</h1>
<p class="notice ok" role="status">${t.burnedBody}</p>
<p><a href="${href(view, `/private/${metadataKey}`)}">${t.backToReceipt}</a></p>
<p class="home"><a href="${href(view, '/')}">${t.home}</a></p>`,
  );
}
