// The dependency-free Python verification in docs/webhooks.md, run as written against signatures made by the
// Standard Webhooks reference package (npm `standardwebhooks`, what the server signs with): a snippet that drifts
// from the specification fails here, not in a reader's receiver.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/built.js';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** The page's ```python block that defines `verify`. */
function snippet(): string {
  const page = readFileSync(join(ROOT, 'docs/webhooks.md'), 'utf8');
  const blocks = [...page.matchAll(/^```python\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  const found = blocks.filter((block) => block.includes('def verify('));
  expect(found, 'docs/webhooks.md has one ```python block with def verify(').toHaveLength(1);
  return found[0]!;
}

// Reads one case as JSON on stdin and answers "ok" or "rejected: <why>".
const DRIVER = `
import json, sys
case = json.load(sys.stdin)
try:
    verify(case["secret"], case["headers"], case["body"].encode())
    print("ok")
except ValueError as err:
    print(f"rejected: {err}")
`;

function python(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(PYTHON, args, { timeout: 20_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

const secret = () => `whsec_${randomBytes(32).toString('base64')}`;
const BODY = JSON.stringify({
  type: 'secret.revealed',
  timestamp: '2026-12-07T23:41:07.512Z',
  data: { shortid: 'k3x9q2mf', custid: 'ünïcode@example.com', state: 'received', ttl: 3600, created: 1, updated: 2, expires: 3601 },
});

/** Headers as the server sends them, signed by the reference package at `at`. */
function signed(key: string, body: string, at = new Date(), id = `msg_${randomBytes(12).toString('hex')}`): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(key).sign(id, at, body) };
}

describe('docs/webhooks.md: the Python verification without packages', () => {
  let code = '';
  let available = false;

  beforeAll(async () => {
    code = snippet();
    available = (await python(['--version'])).code === 0;
  });

  const verdict = async (c: { secret: string; headers: Record<string, string>; body: string }) => {
    const ran = await python(['-c', `${code}\n${DRIVER}`], JSON.stringify(c));
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    return ran.stdout.trim();
  };

  it('accepts what the reference package signs, and refuses any change (body, key, id, age)', async (ctx) => {
    ctx.skip(!available, `${PYTHON} cannot run here: the snippet was not run (install python3)`);
    const key = secret();
    const headers = signed(key, BODY);
    expect(new Webhook(key).verify(BODY, headers)).toEqual(JSON.parse(BODY)); // the package agrees with itself
    expect(await verdict({ secret: key, headers, body: BODY })).toBe('ok');

    expect(await verdict({ secret: key, headers, body: BODY.replace('received', 'burned') })).toBe('rejected: no matching signature');
    expect(await verdict({ secret: secret(), headers, body: BODY })).toBe('rejected: no matching signature');
    expect(await verdict({ secret: key, headers: { ...headers, 'webhook-id': 'msg_other' }, body: BODY })).toBe(
      'rejected: no matching signature',
    );
    const sixMinutesAgo = new Date(Date.now() - 6 * 60_000);
    expect(await verdict({ secret: key, headers: signed(key, BODY, sixMinutesAgo), body: BODY })).toBe('rejected: timestamp too old or too new');
    const fourMinutesAgo = new Date(Date.now() - 4 * 60_000);
    expect(await verdict({ secret: key, headers: signed(key, BODY, fourMinutesAgo), body: BODY })).toBe('ok');
  });

  it('accepts a header with several signatures when one of them matches (a secret being rotated)', async (ctx) => {
    ctx.skip(!available, `${PYTHON} cannot run here: the snippet was not run (install python3)`);
    const key = secret();
    const headers = signed(key, BODY);
    const other = signed(secret(), BODY, new Date(), headers['webhook-id']);
    const both = { ...headers, 'webhook-signature': `${other['webhook-signature']} ${headers['webhook-signature']}` };
    expect(new Webhook(key).verify(BODY, both)).toEqual(JSON.parse(BODY));
    expect(await verdict({ secret: key, headers: both, body: BODY })).toBe('ok');
    expect(await verdict({ secret: key, headers: { ...both, 'webhook-signature': other['webhook-signature']! }, body: BODY })).toBe(
      'rejected: no matching signature',
    );
  });
});
