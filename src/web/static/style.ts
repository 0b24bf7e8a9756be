// The only stylesheet. Served from /static/ under a content hash; kept in a module so `tsc` ships it in dist/.
export const STYLE_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f5f6f8; --fg: #1b1f24; --muted: #57606a; --card: #ffffff; --border: #d0d7de; --field: #ffffff;
  --accent: #0a58ca; --accent-fg: #ffffff; --danger: #b42318; --danger-bg: #fdecea; --danger-solid: #c0362c;
  --ok: #1a7f37; --ok-bg: #e6f4ea; --focus: #d97706;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1115; --fg: #e6e8eb; --muted: #9aa4af; --card: #181b21; --border: #343a44; --field: #0f1115;
    --accent: #6ea8fe; --accent-fg: #0b1220; --danger: #ffaba3; --danger-bg: #3b1d1a; --danger-solid: #c0362c;
    --ok: #7ee2a0; --ok-bg: #14301e; --focus: #fbbf24;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; }
.skip:focus { left: 1rem; top: 1rem; background: var(--card); padding: .5rem 1rem; border-radius: 8px; z-index: 1; }
.page { max-width: 42rem; margin: 0 auto; padding: 1rem; }
.site-header { display: flex; align-items: center; justify-content: space-between; padding: .5rem 0 1rem; }
.brand { color: var(--fg); font-weight: 700; font-size: 1.1rem; text-decoration: none; display: inline-flex; gap: .5rem; align-items: center; }
.brand img { width: 1.6rem; height: 1.6rem; }
.card { background: var(--card); border: 1px solid var(--border); border-radius: 14px; padding: 1.25rem 1.25rem 1.5rem; }
h1 { font-size: 1.55rem; line-height: 1.25; margin: 0 0 .5rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
p { margin: .5rem 0; }
.lead { color: var(--muted); }
label { display: block; font-weight: 600; margin: 1.1rem 0 .3rem; }
.hint { color: var(--muted); font-size: .9rem; margin: .3rem 0 0; }
input[type="text"], input[type="password"], input[type="url"], select, textarea {
  width: 100%; font: inherit; color: var(--fg); background: var(--field);
  border: 1px solid var(--border); border-radius: 8px; padding: .6rem .75rem; min-height: 44px;
}
textarea { min-height: 9rem; resize: vertical; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
textarea[readonly], input[readonly] { background: var(--bg); }
textarea[readonly] { min-height: 0; }
.home { margin-top: 1.5rem; }
button {
  font: inherit; font-weight: 600; min-height: 44px; padding: .6rem 1.15rem; cursor: pointer;
  border-radius: 8px; border: 1px solid transparent; background: var(--accent); color: var(--accent-fg);
}
button.secondary { background: transparent; color: var(--accent); border-color: var(--border); }
button.danger { background: var(--danger-solid); color: #ffffff; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; margin-top: 1.25rem; }
.copy-row { display: flex; gap: .5rem; align-items: stretch; }
.copy-row input, .copy-row textarea { flex: 1; min-width: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.copy-row textarea.link { min-height: 44px; resize: none; overflow-wrap: anywhere; field-sizing: content; }
.copy-status { color: var(--ok); font-size: .9rem; min-height: 1.4em; margin: .3rem 0 0; }
.notice { border-radius: 8px; padding: .75rem 1rem; margin: 1rem 0; }
.notice.error { background: var(--danger-bg); color: var(--danger); }
.notice.ok { background: var(--ok-bg); color: var(--ok); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1.25rem; margin: .75rem 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; }
.site-footer { color: var(--muted); font-size: .9rem; padding: 1.25rem 0; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; justify-content: space-between; }
.site-footer a { color: inherit; }
.site-footer ul { list-style: none; margin: 0; padding: 0; display: flex; gap: 1rem; }
[hidden] { display: none !important; }
@media (max-width: 30rem) {
  .page { padding: .75rem; }
  .card { padding: 1rem; }
  .copy-row { flex-direction: column; }
  .actions button, .copy-row button { width: 100%; }
  .facts { grid-template-columns: 1fr; gap: 0; }
  .facts dd { margin-bottom: .5rem; }
}
`;
