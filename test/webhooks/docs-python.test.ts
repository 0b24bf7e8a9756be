// The dependency-free Python verification in docs/webhooks.md, run as written against signatures made by the
// Standard Webhooks reference package (npm `standardwebhooks`, what the server signs with): a snippet that drifts
// from the specification fails here, not in a reader's receiver.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { BODY, newSecret as secret, signed, snippet } from './doc-snippets.js';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

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
    // A Python that exits without reading (--version) closes the pipe: its answer is what counts, not the write.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input ?? '');
  });
}

describe('docs/webhooks.md: the Python verification without packages', () => {
  let code = '';
  let available = false;

  beforeAll(async () => {
    code = snippet('python', 'def verify(');
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
