// The Node receiver in docs/webhooks.md, run as written (the package import pointed at this project's copy, since
// the snippet lives in a temporary folder): it answers 204 to a post signed by the reference package, as the server
// signs, and 401 to anything else.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/redis-server.js';
import { BODY, newSecret, signed, snippet } from './doc-snippets.js';

describe('docs/webhooks.md: the Node receiver with the standardwebhooks package', () => {
  const secret = newSecret();
  const dir = mkdtempSync(join(tmpdir(), 'ots-webhook-doc-'));
  let receiver: ChildProcess;
  let url = '';
  let output = '';

  beforeAll(async () => {
    const packageUrl = pathToFileURL(createRequire(import.meta.url).resolve('standardwebhooks')).href;
    const code = snippet('js', "from 'standardwebhooks'").replace("from 'standardwebhooks'", `from '${packageUrl}'`);
    writeFileSync(join(dir, 'receiver.mjs'), code);
    const port = await freePort();
    url = `http://127.0.0.1:${port}/`;
    receiver = spawn(process.execPath, [join(dir, 'receiver.mjs')], {
      env: { PATH: process.env.PATH ?? '', OTS_WEBHOOK_SECRET: secret, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    receiver.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    receiver.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    for (let i = 0; i < 100; i++) {
      if (await fetch(url, { method: 'POST' }).then(() => true, () => false)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the receiver did not listen:\n${output}`);
  });
  afterAll(() => {
    receiver?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: string, headers: Record<string, string>) =>
    fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'user-agent': 'ots-server-webhooks', ...headers } });

  it('answers 204 to a signed post and logs its event', async () => {
    const res = await post(BODY, signed(secret, BODY));
    expect(res.status).toBe(204);
    await expect.poll(() => output).toContain('secret.revealed k3x9q2mf received');
  });

  it('answers 401 to a changed body, another key, or an old timestamp', async () => {
    expect((await post(BODY.replace('received', 'burned'), signed(secret, BODY))).status).toBe(401);
    expect((await post(BODY, signed(newSecret(), BODY))).status).toBe(401);
    expect((await post(BODY, signed(secret, BODY, new Date(Date.now() - 6 * 60_000)))).status).toBe(401);
    expect((await post(BODY, {})).status).toBe(401);
  });
});
