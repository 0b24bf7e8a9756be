// The webhook settings: defaults, bounds, and refusals that never echo a secret or a URL's token.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { journalSettingsOf } from '../../src/config-webhooks.js';
import { WEBHOOK_EVENT_TYPES } from '../../src/domain/webhook-queue.js';
import { newSigningSecret } from '../../src/webhooks/signing.js';

const SECRET = newSigningSecret();
const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return '';
};

describe('webhook settings', () => {
  it('defaults: no instance endpoint, all five events, 5 s, 12 tries, 10 s first retry, 4 at once, a sweep every 15 s', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      webhookUrl: undefined,
      webhookSecret: undefined,
      webhookEvents: [...WEBHOOK_EVENT_TYPES],
      webhookTimeout: 5,
      webhookAttempts: 12,
      webhookRetryDelay: 10,
      webhookConcurrency: 4,
      webhookExpiryScan: 15,
    });
    expect(journalSettingsOf(c)).toEqual({ instanceEvents: [] });
  });

  it('takes an endpoint with its secret and a subset of events (in the canonical order)', () => {
    const c = loadConfig({ WEBHOOK_URL: 'https://hooks.example.com/ots?token=abc', WEBHOOK_SECRET: SECRET, WEBHOOK_EVENTS: ' secret.expired, Secret.Revealed' });
    expect(c.webhookUrl).toBe('https://hooks.example.com/ots?token=abc');
    expect(c.webhookSecret).toBe(SECRET);
    expect(journalSettingsOf(c)).toEqual({ instanceEvents: ['secret.revealed', 'secret.expired'] });
  });

  it('needs WEBHOOK_SECRET with WEBHOOK_URL', () => {
    expect(problemsOf({ WEBHOOK_URL: 'https://hooks.example.com/ots' })).toMatch(/WEBHOOK_SECRET is required when WEBHOOK_URL is set/);
  });

  it('refuses other schemes, credentials in the URL and unknown events, without echoing the URL', () => {
    expect(problemsOf({ WEBHOOK_URL: 'ftp://hooks.example.com/', WEBHOOK_SECRET: SECRET })).toMatch(/WEBHOOK_URL must use http or https/);
    const withUser = problemsOf({ WEBHOOK_URL: 'https://bob:hunter2@hooks.example.com/', WEBHOOK_SECRET: SECRET });
    expect(withUser).toMatch(/WEBHOOK_URL must not hold a user or password/);
    expect(withUser).not.toContain('hunter2');
    const garbled = problemsOf({ WEBHOOK_URL: 'not a url ?token=s3cr3t', WEBHOOK_SECRET: SECRET });
    expect(garbled).toMatch(/WEBHOOK_URL must be an absolute http or https URL/);
    expect(garbled).not.toContain('s3cr3t');
    expect(problemsOf({ WEBHOOK_EVENTS: 'secret.created,secret.viewed' })).toMatch(/WEBHOOK_EVENTS must list some of secret.created, /);
    expect(problemsOf({ WEBHOOK_EVENTS: ',' })).toMatch(/WEBHOOK_EVENTS must list/);
  });

  it('refuses a malformed or short secret without echoing it', () => {
    const short = `whsec_${Buffer.from('sixteen bytes!!!').toString('base64')}`;
    const message = problemsOf({ WEBHOOK_URL: 'https://hooks.example.com/', WEBHOOK_SECRET: short });
    expect(message).toMatch(/WEBHOOK_SECRET must be whsec_ followed by 24 to 64 random bytes in base64, got 16 bytes/);
    expect(message).not.toContain(short.slice(6));
  });

  it('bounds the numbers', () => {
    for (const [name, bad] of [
      ['WEBHOOK_TIMEOUT', '61'],
      ['WEBHOOK_ATTEMPTS', '0'],
      ['WEBHOOK_ATTEMPTS', '51'],
      ['WEBHOOK_RETRY_DELAY', '3601'],
      ['WEBHOOK_CONCURRENCY', '65'],
      ['WEBHOOK_EXPIRY_SCAN', '61'],
    ] as const) {
      expect(problemsOf({ [name]: bad })).toMatch(new RegExp(`^${name} must be between`));
    }
  });
});
