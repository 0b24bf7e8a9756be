// The incoming pages in a real browser (docs/contracts/ots-incoming-api.md §8.13): playwright-core driving Debian's
// chromium. Submit on a desktop in light mode, an error kept in the form, the success page without a secret link,
// Dutch on a phone in dark mode, and the limiter's 429 page. Screenshots go to a temporary folder;
// `npm run screenshots` (OTS_SCREENSHOTS_DIR=docs) refreshes docs/incoming*.png.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../operator/smtp-sink.js';
import { makeApp, type TestApp } from '../support/app.js';
import { freePort } from '../support/redis-server.js';

declare const document: { documentElement: { scrollWidth: number }; body: unknown };
declare function getComputedStyle(el: unknown): { backgroundColor: string };

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SHOTS_DIR = process.env.OTS_SCREENSHOTS_DIR;

describe('incoming pages in chromium', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let origin: string;
  let browser: Browser;
  let shots: string;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium"`);
    sink = await startSmtpSink();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    // Two submissions per client: the second passes and locks, the third meets the 429 page.
    t = await makeApp('redis', {
      OTS_PUBLIC_URL: origin,
      SMTP_URL: sink.url,
      SMTP_FROM: 'ots@example.com',
      INCOMING_RECIPIENTS: 'security@example.com,Security Team;helpdesk@example.com,Helpdesk',
      INCOMING_RATE_LIMIT_MAX_PER_IP: '2',
    });
    await t.app.listen({ port, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    shots = SHOTS_DIR ? join(ROOT, SHOTS_DIR) : await mkdtemp(join(tmpdir(), 'ots-incoming-shots-'));
    await mkdir(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sink?.close();
    if (!SHOTS_DIR && shots) await rm(shots, { recursive: true, force: true });
    expect(problems).toEqual([]);
  });

  async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 800, height: 720 }, locale: 'en-US', ...options });
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/status of 4\d\d/.test(msg.text())) problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    return page;
  }

  it('desktop, light, English: an error keeps the form; a submit reaches the success page, which shows no secret link', async () => {
    const page = await newPage();
    await page.goto(`${origin}/incoming`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Send a Secret');
    await page.getByLabel('Send to').selectOption({ label: 'Security Team' });
    await page.getByLabel('Memo (optional)').fill('Password reset request');
    // Within the characters the field allows, over the bytes the server allows: refused, the form kept.
    await page.getByLabel('Secret information').fill('é'.repeat(6000));
    await page.getByRole('button', { name: 'Send Secret' }).click();
    await expect.poll(() => page.locator('.notice.error').textContent()).toBe('The secret is too large: at most 10000 bytes.');
    expect(await page.getByLabel('Memo (optional)').inputValue()).toBe('Password reset request');
    expect(await page.locator('#recipient option:checked').textContent()).toBe('Security Team');

    await page.getByLabel('Secret information').fill('vendor API key 8f3a');
    await page.screenshot({ path: join(shots, 'incoming.png'), fullPage: true });
    await page.getByRole('button', { name: 'Send Secret' }).click();
    await page.waitForURL(/\/incoming\/[0-9a-z]{31}$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sent Successfully');
    const key = await page.getByLabel('Reference ID').inputValue();
    expect(page.url()).toBe(`${origin}/incoming/${key}`);
    expect(await page.content()).not.toContain('/secret/');
    await page.screenshot({ path: join(shots, 'incoming-sent.png'), fullPage: true });
    await vi.waitFor(() => expect(sink.mails).toHaveLength(1), { timeout: 5_000, interval: 50 });
    expect(sink.mails[0]!.to).toEqual(['security@example.com']);

    await page.getByRole('link', { name: 'Send Another Secret' }).click();
    await page.waitForURL(`${origin}/incoming`);
  });

  it('phone, dark, Dutch: no sideways scrolling; then the limiter answers the 429 page', async () => {
    const page = await newPage({ viewport: { width: 360, height: 740 }, colorScheme: 'dark', isMobile: true, hasTouch: true, locale: 'nl-NL' });
    await page.goto(`${origin}/incoming`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Een geheim sturen');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(15, 17, 21)');
    await page.getByLabel('Sturen naar').selectOption({ label: 'Helpdesk' });
    await page.getByLabel('Geheime informatie').fill('nieuw wachtwoord');
    await page.getByLabel('Notitie (optioneel)').fill('Account van Jan');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: join(shots, 'incoming-phone-dark.png'), fullPage: true });
    await page.getByRole('button', { name: 'Geheim sturen' }).click();
    await page.waitForURL(/\/incoming\/[0-9a-z]{31}$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Verstuurd');

    await page.goto(`${origin}/incoming`);
    await page.getByLabel('Sturen naar').selectOption({ label: 'Helpdesk' });
    await page.getByLabel('Geheime informatie').fill('nog een');
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Geheim sturen' }).click()]);
    expect(response.status()).toBe(429);
    await expect.poll(() => page.locator('main').textContent()).toContain('Te veel pogingen');
    await page.screenshot({ path: join(shots, 'incoming-429-phone-dark.png'), fullPage: true });
  });
});
