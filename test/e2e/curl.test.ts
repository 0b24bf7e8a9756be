// The README's "Point an existing OTS client at it" flows, run with the real curl binary against the listening
// server, with each way of sending parameters that curl users and scripts use.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE } from '../support/app.js';
import { run } from './built.js';
import { listen, type ListeningApp } from './listening.js';

interface CurlAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

const KEY = /^[0-9a-z]{31}$/;

describe('README curl flows against the listening server (Redis)', () => {
  let t: ListeningApp;
  let B: string;
  let dir: string;

  /** `curl -s -i ARGS`, parsed. Only 127.0.0.1 is ever contacted (no proxy). */
  async function curl(...args: string[]): Promise<CurlAnswer> {
    const result = await run('curl', ['-sS', '-i', '--noproxy', '*', '--max-time', '20', ...args], {});
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const end = result.stdout.indexOf('\r\n\r\n');
    const [statusLine, ...headerLines] = result.stdout.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const body = result.stdout.slice(end + 4);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    return { status: Number(statusLine!.split(' ')[1]), headers, body, json };
  }

  async function expectOk(answer: Promise<CurlAnswer>) {
    const a = await answer;
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('application/json; charset=utf-8');
    return a.json;
  }

  beforeAll(async () => {
    t = await listen();
    B = t.api;
    dir = mkdtempSync(join(tmpdir(), 'ots-curl-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('share with -d, reveal with its passphrase, receipt new → viewed → received', async () => {
    const shared = await expectOk(curl('-X', 'POST', `${B}/share`, '-d', 'secret=hunter2', '-d', 'ttl=3600', '-d', 'passphrase=open-sesame'));
    expect(shared).toEqual({
      custid: 'anon',
      metadata_key: expect.stringMatching(KEY),
      secret_key: expect.stringMatching(KEY),
      ttl: 3600,
      metadata_ttl: 7200,
      secret_ttl: 3600,
      state: 'new',
      updated: expect.any(Number),
      created: expect.any(Number),
      recipient: [],
      share_domain: '',
      passphrase_required: true,
    });

    expect((await expectOk(curl('-s', `${B}/private/${shared.metadata_key}`))).state).toBe('new');
    expect((await expectOk(curl('-s', `${B}/private/${shared.metadata_key}`))).state).toBe('viewed');

    const revealed = await expectOk(curl('-X', 'POST', `${B}/secret/${shared.secret_key}`, '-d', 'passphrase=open-sesame'));
    expect(revealed).toEqual({ value: 'hunter2', secret_key: shared.secret_key, share_domain: t.config.publicUrl });

    const receipt = await expectOk(curl(`${B}/private/${shared.metadata_key}`));
    expect(receipt.state).toBe('received');
    expect(receipt.received).toEqual(expect.any(Number));
    expect(receipt).not.toHaveProperty('secret_key');
  });

  it('a bodiless POST with everything in the query string (as some clients send it)', async () => {
    const shared = await expectOk(curl('-X', 'POST', `${B}/share?secret=from%20the%20query&ttl=600&passphrase=`));
    expect(shared).toMatchObject({ ttl: 600, passphrase_required: false }); // empty passphrase = none
    const revealed = await expectOk(curl('-X', 'POST', `${B}/secret/${shared.secret_key}`));
    expect(revealed.value).toBe('from the query');
  });

  it('multipart form (-F), value kept byte for byte', async () => {
    const shared = await expectOk(curl('-F', 'secret=multi part ✓', '-F', 'ttl=600', `${B}/share`));
    expect(shared.ttl).toBe(600);
    expect((await expectOk(curl('-X', 'POST', `${B}/secret/${shared.secret_key}`))).value).toBe('multi part ✓');
  });

  it('JSON body (-H content-type: application/json)', async () => {
    const shared = await expectOk(
      curl('-H', 'content-type: application/json', '-d', '{"secret":"json secret","ttl":900,"passphrase":"pw"}', `${B}/share`),
    );
    expect(shared).toMatchObject({ ttl: 900, passphrase_required: true });
    const revealed = await expectOk(
      curl('-X', 'POST', '-H', 'content-type: application/json', '-d', '{"passphrase":"pw"}', `${B}/secret/${shared.secret_key}`),
    );
    expect(revealed.value).toBe('json secret');
  });

  it('--data-urlencode from a file keeps the trailing newline', async () => {
    const file = join(dir, 'secret.txt');
    writeFileSync(file, 'first line\nsecond line & more = stuff\n');
    const shared = await expectOk(curl('--data-urlencode', `secret@${file}`, `${B}/share`));
    const revealed = await expectOk(curl('-X', 'POST', `${B}/secret/${shared.secret_key}`));
    expect(revealed.value).toBe('first line\nsecond line & more = stuff\n');
  });

  it('generate -d length=20 returns the receipt plus the value, which reveals', async () => {
    const generated = await expectOk(curl('-s', '-X', 'POST', `${B}/generate`, '-d', 'length=20'));
    expect(generated).toMatchObject({ custid: 'anon', state: 'new', ttl: 604_800 });
    expect(generated.value).toHaveLength(20);
    expect((await expectOk(curl('-X', 'POST', `${B}/secret/${generated.secret_key}`))).value).toBe(generated.value);
  });

  it('burn with the passphrase: state object burned, secret_shortkey, then the secret is gone', async () => {
    const shared = await expectOk(curl('-X', 'POST', `${B}/share`, '-d', 'secret=to burn', '-d', 'passphrase=open-sesame'));
    const wrong = await curl('-X', 'POST', `${B}/private/${shared.metadata_key}/burn`, '-d', 'passphrase=nope');
    expect(wrong.status).toBe(404);
    expect(wrong.json).toEqual({ message: 'Incorrect passphrase' });
    expect(wrong.headers['x-ots-intended-status']).toBe('400');

    const burned = await expectOk(curl('-X', 'POST', `${B}/private/${shared.metadata_key}/burn`, '-d', 'passphrase=open-sesame'));
    expect(burned.secret_shortkey).toBe(shared.secret_key.slice(0, 6));
    expect(burned.state).toMatchObject({ state: 'burned', secret_key: '', secret_ttl: null });
    const gone = await curl('-X', 'POST', `${B}/secret/${shared.secret_key}`, '-d', 'passphrase=open-sesame');
    expect(gone.json).toEqual({ message: 'Unknown secret', secret_key: shared.secret_key });
  });

  it('recent with -u email:token lists the account receipts, newest first', async () => {
    const user = `${ALICE.email}:${ALICE.token}`;
    const first = await expectOk(curl('-u', user, '-X', 'POST', `${B}/share`, '-d', 'secret=one'));
    const second = await expectOk(curl('-u', user, '-X', 'POST', `${B}/share`, '-d', 'secret=two'));
    expect(second.custid).toBe(ALICE.email);
    const recent = await expectOk(curl('-s', '-u', user, `${B}/private/recent`));
    const keys = (recent as { metadata_key: string }[]).map((r) => r.metadata_key);
    expect(keys.indexOf(second.metadata_key)).toBeLessThan(keys.indexOf(first.metadata_key));
    expect(keys.indexOf(second.metadata_key)).toBeGreaterThanOrEqual(0);
  });

  it('errors: HTTP 404 with the JSON message and X-OTS-Intended-Status, as the README shows', async () => {
    const unknown = await curl('-X', 'POST', `${B}/secret/nosuchkey`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers['x-ots-intended-status']).toBe('404');
    expect(unknown.body).toBe('{"message":"Unknown secret","secret_key":"nosuchkey"}');

    const badToken = await curl('-u', `${ALICE.email}:wrong-token`, `${B}/private/recent`);
    expect(badToken.status).toBe(404);
    expect(badToken.headers['x-ots-intended-status']).toBe('401');
    expect(badToken.json).toEqual({ message: 'Not authorized' });

    const anonymousRecent = await curl(`${B}/private/recent`);
    expect(anonymousRecent.json).toEqual({ message: 'Not authorized' });

    const nothing = await curl('-X', 'POST', `${B}/share`);
    expect(nothing.json).toEqual({ message: 'You did not provide anything to share' });
    expect(nothing.headers['x-ots-intended-status']).toBe('400');

    const unrouted = await curl(`${B}/nope`);
    expect(unrouted.status).toBe(404);
    expect(unrouted.json).toEqual({ message: 'Not Found' });
  });
});
