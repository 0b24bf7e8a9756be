// The pages in chromium through a real reverse proxy: Debian's nginx terminating TLS (a certificate the test makes,
// trusted by its SPKI hash) and serving ots-server under /ots/ (docs/contracts/ots-v2-api.md §11.4, test 104).
// Every request the pages make stays under /ots/ and succeeds: styles, script and icon load, the form posts,
// the redirect lands on the receipt, the share link opens and reveals. Chromium and nginx are required: this file
// fails with the command that installs them, it never skips.
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';
import { startNginx, type Nginx } from '../support/nginx.js';
import { freePort } from '../support/redis-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('web pages in chromium behind nginx under /ots/', () => {
  let t: TestApp;
  let nginx: Nginx;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium"`);
    const port = await freePort();
    base = `https://localhost:${port}/ots`;
    t = await makeApp('redis', { OTS_PUBLIC_URL: base, TRUST_PROXY: '127.0.0.1' });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const appPort = (t.app.server.address() as AddressInfo).port;
    nginx = await startNginx([{ location: '/ots/', pass: `http://127.0.0.1:${appPort}/ots/` }], port);
    // Chromium trusts exactly this certificate's key, nothing else.
    const spki = new X509Certificate(nginx.ca).publicKey.export({ type: 'spki', format: 'der' });
    const pin = createHash('sha256').update(spki).digest('base64');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-quic', `--ignore-certificate-errors-spki-list=${pin}`],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await nginx?.stop();
    await t?.close();
  });

  it('104 create → receipt → share link → reveal: every request under /ots/, every asset 200, no page error', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    const requests: string[] = [];
    const failures: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('response', (r) => {
      if (r.status() >= 400) failures.push(`${r.status()} ${r.url()}`);
    });
    // A request cut off because the page moved on (ERR_ABORTED) is no failed load; any other failure is.
    page.on('requestfailed', (r) => {
      if (r.failure()?.errorText !== 'net::ERR_ABORTED') failures.push(`failed ${r.url()}: ${r.failure()?.errorText}`);
    });
    page.on('pageerror', (e) => failures.push(e.message));

    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Nederlands' }).click();
    expect(page.url()).toBe(`${base}/?locale=nl`);
    await page.getByRole('link', { name: 'English' }).click();
    expect(page.url()).toBe(`${base}/?locale=en`);
    await page.goto(`${base}/`);
    // The stylesheet applied (under the CSP): the card has its border radius.
    expect(await page.locator('main').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { borderTopLeftRadius: string } }).getComputedStyle(el).borderTopLeftRadius)).toBe('14px');
    await page.getByLabel('Secret', { exact: true }).fill('behind the proxy');
    await page.getByRole('button', { name: 'Create a secret link' }).click();
    await page.waitForURL(new RegExp(`^${base}/private/[0-9a-z]{31}$`));
    const shareLink = await page.getByLabel('Share link').inputValue();
    expect(shareLink).toMatch(new RegExp(`^${base}/secret/[0-9a-z]{31}$`));
    // The copy button is shown only when the script loaded and ran.
    await page.getByRole('button', { name: 'Copy' }).waitFor({ state: 'visible', timeout: 10_000 });

    await page.goto(shareLink);
    await page.getByRole('button', { name: 'Reveal the secret' }).click();
    expect(await page.getByLabel('Secret', { exact: true }).inputValue()).toBe('behind the proxy');
    await context.close();

    expect(failures).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(`${base}/`))).toEqual([]);
    expect(requests.filter((u) => u.includes('/ots/static/')).length).toBeGreaterThanOrEqual(3);
    console.log(`chromium through nginx: ${requests.length} requests, all under ${base}/; nginx saw:\n  ${nginx.accessLog().slice(0, 6).join('\n  ')}`);
  });
});
