// vitest against ots-server as a test double, in-process: the typed control methods, and plain HTTP for the client.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startServer, type TestDoubleServer } from '../../../src/index.js';

const alice = { email: 'alice@example.com', token: 'alice-recipe-token-0123456789abcdefgh' };
let ots: TestDoubleServer;
beforeAll(async () => {
  ots = await startServer({ control: true, accounts: [alice] });
});
afterAll(() => ots.close());
beforeEach(() => ots.control.reset());

const conceal = (secret: object, headers: Record<string, string> = {}) =>
  fetch(`${ots.url}/api/v2/secret/conceal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ secret }),
  });

it('reads a received receipt', async () => {
  const { metadata_key } = await ots.control.fixture({ state: 'received' });
  const receipt = (await (await fetch(`${ots.url}/api/v2/receipt/${metadata_key}`)).json()) as { record: { state: string } };
  expect(receipt.record.state).toBe('revealed');
});

it('loses a secret once the clock passes its TTL', async () => {
  const made = (await (await conceal({ secret: 's3cr3t', ttl: 60 })).json()) as { record: { secret: { identifier: string } } };
  ots.control.clock({ advance: 61 });
  const reveal = await fetch(`${ots.url}/api/v2/secret/${made.record.secret.identifier}/reveal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ continue: true }),
  });
  expect(reveal.status).toBe(404);
});

it('gets a 503 while the store is down', async () => {
  ots.control.faults({ store: 'down' });
  const reply = await conceal({ secret: 's3cr3t' });
  expect(reply.status).toBe(503);
  expect(reply.headers.get('retry-after')).toBe('5');
  expect(await reply.json()).toMatchObject({ error_type: 'ServiceUnavailable' });
});

it('shows what the client sent, without values', async () => {
  const basic = Buffer.from(`${alice.email}:${alice.token}`).toString('base64');
  await conceal({ secret: 's3cr3t', ttl: 300 }, { authorization: `Basic ${basic}` });
  expect(ots.control.requests()).toEqual([
    expect.objectContaining({ method: 'POST', path: '/api/v2/secret/conceal', username: alice.email, params: ['secret.secret', 'secret.ttl'] }),
  ]);
  expect(JSON.stringify(ots.control.requests())).not.toContain('s3cr3t');
});
