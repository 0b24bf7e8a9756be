// The page shell: language, viewport, the server's own stylesheet, script and icon, and a language switch.
import { assetPaths } from '../assets.js';
import { html, type SafeHtml } from '../html.js';
import { CATALOGUES } from '../i18n/index.js';
import { href, type View } from '../view.js';

export function layout(view: View, title: string, content: SafeHtml): SafeHtml {
  const { t } = view;
  const languages = Object.values(CATALOGUES).map((c) =>
    c.lang === view.locale
      ? html`<li><span aria-current="true">${c.languageName}</span></li>`
      : html`<li><a href="${view.base}${view.path}?locale=${c.lang}" lang="${c.lang}" hreflang="${c.lang}">${c.languageName}</a></li>`,
  );
  return html`<!doctype html>
<html lang="${t.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light dark">
<title>${title} · ${t.appName}</title>
<link rel="icon" href="${view.base}${assetPaths.icon}" type="image/svg+xml">
<link rel="stylesheet" href="${view.base}${assetPaths.style}">
<script src="${view.base}${assetPaths.script}" defer></script>
</head>
<body>
<a class="skip" href="#main">${t.skipToContent}</a>
<div class="page">
<header class="site-header"><a class="brand" href="${href(view, '/')}"><img src="${view.base}${assetPaths.icon}" alt="">${t.appName}</a></header>
<main id="main" class="card" tabindex="-1">
${content}
</main>
<footer class="site-footer"><p>${t.footer}</p><nav aria-label="${t.otherLanguages}"><ul>${languages}</ul></nav></footer>
</div>
</body>
</html>
`;
}

/** An error or confirmation notice; role=alert so screen readers announce it when the page loads. */
export function notice(kind: 'error' | 'ok', text: string | undefined): SafeHtml | undefined {
  return text === undefined ? undefined : html`<p class="notice ${kind}" role="alert">${text}</p>`;
}

/** A read-only field with a copy button (shown only when the script runs) and a polite status line. */
export function copyButton(view: View, fieldId: string): SafeHtml {
  return html`<button type="button" class="secondary" data-copy="${fieldId}" data-copy-status="${fieldId}-status" data-copied="${view.t.copied}" hidden>${view.t.copy}</button>`;
}

export function copyStatus(fieldId: string): SafeHtml {
  return html`<p class="copy-status" id="${fieldId}-status" role="status" aria-live="polite"></p>`;
}
