// What the tests of docs/webhooks.md's snippets share: the page's code blocks, and a body signed as the server signs
// it, by the Standard Webhooks reference package.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { ROOT } from '../e2e/built.js';

/** The page's one ```lang block that contains `marker`. */
export function snippet(lang: string, marker: string): string {
  const page = readFileSync(join(ROOT, 'docs/webhooks.md'), 'utf8');
  const found = [...page.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!).filter((b) => b.includes(marker));
  if (found.length !== 1) throw new Error(`docs/webhooks.md has ${found.length} \`\`\`${lang} blocks with ${marker}, not one`);
  return found[0]!;
}

export const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export const BODY = JSON.stringify({
  type: 'secret.revealed',
  timestamp: '2026-12-07T23:41:07.512Z',
  data: { shortid: 'k3x9q2mf', custid: 'ünïcode@example.com', state: 'received', ttl: 3600, created: 1, updated: 2, expires: 3601 },
});

/** Headers as the server sends them, signed by the reference package at `at`. */
export function signed(key: string, body: string, at = new Date(), id = `msg_${randomBytes(12).toString('hex')}`): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(key).sign(id, at, body) };
}
