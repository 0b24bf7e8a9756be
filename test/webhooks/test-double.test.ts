// The test double delivers webhooks too, on its own clock: another project's suite can see `secret.expired` for a
// secret of an hour by moving the clock, without waiting an hour.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestDoubleServer } from '../../src/index.js';
import { newSigningSecret } from '../../src/webhooks/signing.js';
import { startReceiver, waitFor, type Receiver } from './receiver.js';

describe('webhooks from the test double', () => {
  let receiver: Receiver;
  let server: TestDoubleServer;

  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startServer({ control: true, env: { WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: newSigningSecret(), WEBHOOK_EXPIRY_SCAN: '1' } });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('reports an hour-long secret expired once the control clock has moved past its TTL', async () => {
    const res = await fetch(`${server.url}/api/v1/share`, { method: 'POST', body: new URLSearchParams({ secret: 'an hour', ttl: '3600' }) });
    const { metadata_key: metadataKey } = (await res.json()) as { metadata_key: string };
    const types = () => receiver.posts.map((p) => JSON.parse(p.body) as { type: string; data: { shortid: string } }).filter((p) => p.data.shortid === metadataKey.slice(0, 8)).map((p) => p.type);
    await waitFor('secret.created', () => types().includes('secret.created'));
    server.control.clock({ advance: 3601 });
    await waitFor('secret.expired', () => types().includes('secret.expired'), 5000);
    expect(types()).toEqual(['secret.created', 'secret.expired']);
  });
});
