// `admin webhook …` and `admin webhooks …`: account endpoints and the delivery queue in the shared Redis store
// (docs/webhooks.md). stdout carries only the answer; the one signing secret it ever prints is the one `set` makes.
import type { Accounts } from '../auth/accounts.js';
import { INSTANCE_TARGET, type DeadLetter, type WebhookQueueStatus, type WebhookStore } from '../domain/webhook-queue.js';
import { newSigningSecret } from '../webhooks/signing.js';
import { CommandFailed, type AdminCommand } from './args.js';

export type WebhookCommand = Extract<AdminCommand, { kind: `webhook-${string}` | `webhooks-${string}` }>;

export function isWebhookCommand(command: AdminCommand): command is WebhookCommand {
  return command.kind.startsWith('webhook');
}

export const MEMORY_MODE_WEBHOOKS =
  'ots-admin: no Redis is configured (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS). Account webhooks and the\n' +
  'delivery queue are stored in Redis; the embedded memory store keeps its queue inside the server process, out of\n' +
  "this command's reach, and there only the instance-wide endpoint (WEBHOOK_URL) receives events. Point this command\n" +
  "at the server's Redis (same REDIS_PREFIX).";

/** Replays run in batches of this many, so one Redis call never moves an unbounded list. */
const REPLAY_BATCH = 1000;

export interface Output {
  out(line: string): void;
  note(line: string): void;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** One field of a tab-separated line: a reason is free text, so no tab or line break may split it. */
const field = (text: string) => text.replace(/[\p{Cc}]+/gu, ' ');

export function formatStatus(status: WebhookQueueStatus): string[] {
  return [
    `queued\t${status.queued}`,
    `pending\t${status.pending}`,
    `oldest_seconds\t${status.oldestAgeMs === null ? 0 : Math.floor(status.oldestAgeMs / 1000)}`,
    `dead_letters\t${status.deadLetters}`,
    ...status.consumers.map((c) => `consumer\t${field(c.name)}\t${c.pending}\t${Math.floor(c.idleMs / 1000)}`),
  ];
}

export function formatDeadLetter({ event, reason, failedAt }: DeadLetter): string {
  const target = event.target === INSTANCE_TARGET ? 'instance' : 'account';
  return [event.messageId, event.type, event.facts.shortid, target, iso(failedAt), reason].map(field).join('\t');
}

async function requireAccount(accounts: Accounts, email: string): Promise<void> {
  if (!(await accounts.exists(email))) throw new CommandFailed(`no account ${email}`);
}

/** Every dead letter there is now (or `max`), in batches; letters that fail again meanwhile wait for the next replay. */
async function replay(webhooks: WebhookStore, max: number | undefined): Promise<number> {
  let left = max ?? (await webhooks.queue.status()).deadLetters;
  let moved = 0;
  while (left > 0) {
    const batch = await webhooks.queue.replay(Math.min(left, REPLAY_BATCH));
    if (batch === 0) break;
    moved += batch;
    left -= batch;
  }
  return moved;
}

export async function runWebhookCommand(command: WebhookCommand, webhooks: WebhookStore, accounts: Accounts, io: Output): Promise<void> {
  switch (command.kind) {
    case 'webhook-set': {
      await requireAccount(accounts, command.email);
      const replaced = (await webhooks.targets.get(command.email)) !== null;
      const secret = newSigningSecret();
      await webhooks.targets.set(command.email, { url: command.url, secret, created: Math.floor(Date.now() / 1000) });
      io.out(secret);
      io.note(
        `${replaced ? 'replaced the endpoint' : 'set the endpoint'} of ${command.email}; the signing secret above is shown ` +
          'once and cannot be shown again (webhook set makes a new one)',
      );
      return;
    }
    case 'webhook-show': {
      const target = await webhooks.targets.get(command.email);
      if (!target) throw new CommandFailed(`no webhook for ${command.email}`);
      io.out(`url\t${target.url}`);
      io.out(`created\t${iso(target.created * 1000)}`);
      return;
    }
    case 'webhook-remove':
      if (!(await webhooks.targets.remove(command.email))) throw new CommandFailed(`no webhook for ${command.email}`);
      io.note(`removed the webhook of ${command.email}`);
      return;
    case 'webhooks-status':
      for (const line of formatStatus(await webhooks.queue.status())) io.out(line);
      return;
    case 'webhooks-dead': {
      const letters = await webhooks.queue.deadLetters(command.max);
      for (const letter of letters) io.out(formatDeadLetter(letter));
      if (letters.length === 0) io.note('(no dead letters)');
      else if (letters.length === command.max) {
        const all = (await webhooks.queue.status()).deadLetters;
        if (all > letters.length) io.note(`(the oldest ${letters.length} of ${all} dead letters; --max shows more)`);
      }
      return;
    }
    case 'webhooks-replay':
      io.out(String(await replay(webhooks, command.max)));
      return;
  }
}
