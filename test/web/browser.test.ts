// The pages in a real browser: playwright-core driving Debian's chromium against the app on a loopback socket.
// Flows as a person does them (create → receipt → share link → reveal → gone; passphrase; burn; Dutch; keyboard
// only; JavaScript off), a preview bot's GET, the CSP holding with no violation, and the README's screenshots,
// taken into a temporary folder: `npm run screenshots` (OTS_SCREENSHOTS_DIR=docs) is what refreshes docs/*.png.
// Chromium is required: without it this file fails with the command that installs it, it never skips.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';
import { freePort } from '../support/redis-server.js';

// The browser globals the page functions below use (the project compiles without the DOM lib; module-local).
interface PageElement {
  id: string;
  tagName: string;
  outerHTML: string;
  labels?: { length: number } | null;
}
declare const document: { activeElement: PageElement | null; documentElement: { scrollWidth: number }; body: PageElement };
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare function getComputedStyle(el: unknown): { borderTopLeftRadius: string; backgroundColor: string };

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** Where screenshots go: a temporary folder, so a test run never rewrites tracked files; `npm run screenshots` sets docs/. */
const SHOTS_DIR = process.env.OTS_SCREENSHOTS_DIR;
const BOT_AGENT = 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)';

describe('web pages in chromium', () => {
  let t: TestApp;
  let origin: string;
  let browser: Browser;
  let DOCS: string;
  const contexts: BrowserContext[] = [];
  /** CSP violations and page errors, per page; every test ends by asserting there were none. */
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set CHROMIUM_PATH)`);
    }
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    t = await makeApp('redis', { OTS_PUBLIC_URL: origin });
    await t.app.listen({ port, host: '127.0.0.1' });
    // launch() gives every run a fresh temporary profile (--user-data-dir), removed on close.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    DOCS = SHOTS_DIR ? join(ROOT, SHOTS_DIR) : await mkdtemp(join(tmpdir(), 'ots-screenshots-'));
    await mkdir(DOCS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (!SHOTS_DIR && DOCS) await rm(DOCS, { recursive: true, force: true });
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    expect(problems.splice(0)).toEqual([]);
  });

  async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 800, height: 720 }, locale: 'en-US', ...options });
    contexts.push(context);
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/404 \(Not Found\)|status of 40\d/.test(msg.text())) problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    return page;
  }

  /** Fills and submits the create form; returns the receipt page's share link. */
  async function createSecret(page: Page, secret: string, passphrase?: string): Promise<string> {
    await page.goto(`${origin}/`);
    await page.getByLabel('Secret', { exact: true }).fill(secret);
    if (passphrase) await page.getByLabel('Passphrase (optional)').fill(passphrase);
    await page.getByRole('button', { name: 'Create a secret link' }).click();
    await page.waitForURL(/\/private\/[0-9a-z]{31}$/);
    return page.getByLabel('Share link').inputValue();
  }

  /** Every visible form control has a label. */
  async function expectLabelled(page: Page): Promise<void> {
    const unlabelled = await page.$$eval('input:not([type=hidden]), textarea, select', (els) =>
      (els as unknown as PageElement[]).filter((el) => el.labels?.length === 0).map((el) => el.outerHTML),
    );
    expect(unlabelled).toEqual([]);
  }

  it('create → receipt → open the share link → reveal → open again: gone (with screenshots)', async () => {
    const page = await newPage();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    await page.goto(`${origin}/`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Share a secret');
    await expectLabelled(page);
    // The stylesheet applied under the CSP: the card has its border radius.
    expect(await page.locator('main').evaluate((el) => getComputedStyle(el).borderTopLeftRadius)).toBe('14px');
    await page.getByLabel('Secret', { exact: true }).fill('postgres://app:s3cr3t-Pa55@db.internal:5432/prod');
    await page.getByLabel('Expires after').selectOption({ label: '1 day' });
    await page.screenshot({ path: join(DOCS, 'create.png'), fullPage: true });
    await page.getByRole('button', { name: 'Create a secret link' }).click();

    await page.waitForURL(/\/private\/[0-9a-z]{31}$/);
    const shareLink = await page.getByLabel('Share link').inputValue();
    expect(shareLink).toMatch(new RegExp(`^${origin}/secret/[0-9a-z]{31}$`));
    expect(await page.locator('#state').textContent()).toBe('Not read yet');
    expect(await page.locator('#passphrase-state').textContent()).toBe('None');
    expect(await page.locator('#time-left').textContent()).toMatch(/^(23 hours 59 minutes|1 day)$/);
    await expectLabelled(page);
    // The copy button exists only because the script ran (it is hidden in the HTML).
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.locator('#share-link-status').textContent()).toBe('Copied to the clipboard');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shareLink);
    await page.screenshot({ path: join(DOCS, 'receipt.png'), fullPage: true });
    const receiptUrl = page.url();

    // The recipient, in another browser context.
    const recipient = await newPage();
    await recipient.goto(shareLink);
    expect(await recipient.getByRole('heading', { level: 1 }).textContent()).toBe('A secret for you');
    expect(await recipient.content()).not.toContain('s3cr3t-Pa55');
    await recipient.getByRole('button', { name: 'Reveal the secret' }).click();
    expect(await recipient.getByLabel('Secret', { exact: true }).inputValue()).toBe('postgres://app:s3cr3t-Pa55@db.internal:5432/prod');
    expect(await recipient.getByRole('heading', { level: 1 }).textContent()).toBe('Your secret');
    await recipient.screenshot({ path: join(DOCS, 'revealed.png'), fullPage: true });

    const again = await recipient.goto(shareLink);
    expect(again?.status()).toBe(404);
    expect(await recipient.getByRole('heading', { level: 1 }).textContent()).toBe('Nothing here');

    await page.goto(receiptUrl);
    expect(await page.locator('#state').textContent()).toBe('Read');
    expect(await page.getByRole('button', { name: 'Burn secret' }).count()).toBe(0);
    // No link any more, so the page no longer calls itself one.
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Status of the secret');
    expect(await page.getByLabel('Share link').count()).toBe(0);
  });

  it('a preview bot (plain fetch) and a browser that only opens the link leave the secret revealable', async () => {
    const creator = await newPage();
    const shareLink = await createSecret(creator, 'still here after previews');
    const receiptUrl = creator.url();

    const bot = await fetch(shareLink, { headers: { 'user-agent': BOT_AGENT, accept: 'text/html' } });
    expect(bot.status).toBe(200);
    const botHtml = await bot.text();
    expect(botHtml).toContain('A secret for you');
    expect(botHtml).not.toContain('still here after previews');

    const previewer = await newPage({ userAgent: BOT_AGENT });
    const opened = await previewer.goto(shareLink);
    expect(opened?.status()).toBe(200);
    await previewer.waitForLoadState('networkidle');
    expect(await previewer.content()).not.toContain('still here after previews');

    await creator.goto(receiptUrl);
    expect(await creator.locator('#state').textContent()).toBe('Not read yet');
    const secretKey = shareLink.split('/').pop()!;
    expect(await t.app.ots.service.inspect(secretKey)).toMatchObject({ passphraseProtected: false });

    const recipient = await newPage();
    await recipient.goto(shareLink);
    await recipient.getByRole('button', { name: 'Reveal the secret' }).click();
    expect(await recipient.getByLabel('Secret', { exact: true }).inputValue()).toBe('still here after previews');
  });

  it('passphrase: the recipient is asked for it, a wrong one is refused and kept, the right one reveals', async () => {
    const creator = await newPage();
    const shareLink = await createSecret(creator, 'behind a passphrase', 'correct horse');
    expect(await creator.locator('#passphrase-state').textContent()).toBe('Set: the recipient needs it');

    const recipient = await newPage();
    await recipient.goto(shareLink);
    await expectLabelled(recipient);
    await recipient.getByLabel('Passphrase').fill('wrong horse');
    await recipient.getByRole('button', { name: 'Reveal the secret' }).click();
    expect(await recipient.getByRole('alert').textContent()).toBe('That passphrase is not right. Try again.');
    // The field is marked invalid and focused, ready for another try.
    expect(await recipient.evaluate(() => document.activeElement?.id)).toBe('passphrase');
    await recipient.keyboard.type('correct horse');
    await recipient.keyboard.press('Enter');
    expect(await recipient.getByLabel('Secret', { exact: true }).inputValue()).toBe('behind a passphrase');
  });

  it('burn: the creator burns it from the receipt, sees it confirmed, and the link is gone', async () => {
    const creator = await newPage();
    const shareLink = await createSecret(creator, 'burn before reading');
    await creator.getByRole('button', { name: 'Burn secret' }).click();
    expect(await creator.getByRole('heading', { level: 1 }).textContent()).toBe('Secret burned');
    await creator.getByRole('link', { name: 'Back to the receipt' }).click();
    expect(await creator.locator('#state').textContent()).toBe('Burned');

    const recipient = await newPage();
    expect((await recipient.goto(shareLink))?.status()).toBe(404);
    expect(await recipient.getByRole('heading', { level: 1 }).textContent()).toBe('Nothing here');
  });

  it('Dutch: by the browser language, and by the language link, through the whole flow', async () => {
    const page = await newPage({ locale: 'nl-NL' });
    await page.goto(`${origin}/`);
    expect(await page.getAttribute('html', 'lang')).toBe('nl');
    await page.getByLabel('Geheim', { exact: true }).fill('een geheim');
    await page.getByLabel('Wachtwoordzin (optioneel)').fill('open sesam');
    await page.getByRole('button', { name: 'Maak een geheime link' }).click();
    await page.waitForURL(/\/private\//);
    expect(await page.locator('#state').textContent()).toBe('Nog niet gelezen');
    const shareLink = await page.getByLabel('Link om te delen').inputValue();

    const recipient = await newPage({ locale: 'en-GB' });
    await recipient.goto(shareLink);
    await recipient.getByRole('link', { name: 'Nederlands' }).click();
    expect(await recipient.getByRole('heading', { level: 1 }).textContent()).toBe('Een geheim voor jou');
    await recipient.getByLabel('Wachtwoordzin').fill('open sesam');
    await recipient.getByRole('button', { name: 'Toon het geheim' }).click();
    expect(await recipient.getByRole('heading', { level: 1 }).textContent()).toBe('Je geheim');
    expect(await recipient.getByLabel('Geheim', { exact: true }).inputValue()).toBe('een geheim');
  });

  it('keyboard only, on a phone-sized screen in dark mode: no sideways scrolling, focus order as read', async () => {
    const page = await newPage({ viewport: { width: 360, height: 740 }, colorScheme: 'dark', isMobile: true, hasTouch: true });
    await page.goto(`${origin}/`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(15, 17, 21)');
    // The secret field has focus on load; Tab walks passphrase → expiry → submit.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('secret');
    await page.keyboard.type('typed without a mouse');
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName || ''));
    }
    expect(order).toEqual(['passphrase', 'ttl', 'BUTTON']);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/private\//);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    // The whole share link is in view, key included: it wraps instead of scrolling sideways or hiding a line.
    const link = page.getByLabel('Share link');
    expect(await link.inputValue()).toMatch(/\/secret\/[0-9a-z]{31}$/);
    const box = await link.evaluate((el) => {
      const e = el as unknown as { scrollWidth: number; clientWidth: number; scrollHeight: number; clientHeight: number };
      return { overflowX: e.scrollWidth - e.clientWidth, overflowY: e.scrollHeight - e.clientHeight };
    });
    expect(box).toEqual({ overflowX: 0, overflowY: 0 });
    await page.screenshot({ path: join(DOCS, 'receipt-phone-dark.png'), fullPage: true });
  });

  it('works with JavaScript off: create, reveal and burn are plain forms', async () => {
    const page = await newPage({ javaScriptEnabled: false });
    const shareLink = await createSecret(page, 'no script needed');
    expect(await page.getByRole('button', { name: 'Copy' }).count()).toBe(0);
    const recipient = await newPage({ javaScriptEnabled: false });
    await recipient.goto(shareLink);
    await recipient.getByRole('button', { name: 'Reveal the secret' }).click();
    expect(await recipient.getByLabel('Secret', { exact: true }).inputValue()).toBe('no script needed');
    await page.reload();
    expect(await page.locator('#state').textContent()).toBe('Read');

    const burnLink = await createSecret(page, 'burn with no script');
    await page.getByRole('button', { name: 'Burn secret' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Secret burned');
    expect((await recipient.goto(burnLink))?.status()).toBe(404);
  });
});
