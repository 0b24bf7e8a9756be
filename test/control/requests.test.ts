// GET /__ots/requests: what clients sent, in order, as shapes: never a value, passphrase or token.
import { beforeEach, describe, expect, it } from 'vitest';
import { ALICE, control, http, serveDouble } from './double.js';

const SECRET = 'the-secret-value-4711';
const PASSPHRASE = 'the-passphrase-0815';

describe('recorded requests', () => {
  const ots = serveDouble();
  beforeEach(() => control(ots.url, 'reset'));

  it('records method, path, route, version, parameter names, username and status of every version, in order', async () => {
    const v1 = await http(ots.url, 'POST', '/api/v1/share', { form: { secret: SECRET, passphrase: PASSPHRASE, ttl: '600' }, as: ALICE });
    await http(ots.url, 'POST', '/api/v2/secret/conceal', { json: { secret: { secret: SECRET, passphrase: PASSPHRASE, ttl: 600 } }, as: ALICE });
    await http(ots.url, 'POST', `/api/v3/guest/secret/conceal?locale=nl`, { json: { secret: { secret: SECRET } } });
    await http(ots.url, 'GET', `/secret/${v1.body.secret_key}`);
    await http(ots.url, 'POST', `/api/v1/secret/${v1.body.secret_key}?passphrase=${PASSPHRASE}`);
    await http(ots.url, 'GET', '/api/v9/nothing');

    const { requests } = (await http(ots.url, 'GET', '/__ots/requests')).body;
    expect(requests).toEqual([
      { method: 'POST', path: '/api/v1/share', route: '/api/v1/share', version: 'v1', params: ['secret', 'passphrase', 'ttl'], username: ALICE.email, status: 200 },
      {
        method: 'POST',
        path: '/api/v2/secret/conceal',
        route: '/api/v2/secret/conceal',
        version: 'v2',
        params: ['secret.secret', 'secret.passphrase', 'secret.ttl'],
        username: ALICE.email,
        status: 200,
      },
      {
        method: 'POST',
        path: '/api/v3/guest/secret/conceal',
        route: '/api/v3/guest/secret/conceal',
        version: 'v3',
        params: ['locale', 'secret.secret'],
        username: null,
        status: 200,
      },
      { method: 'GET', path: `/secret/${v1.body.secret_key}`, route: '/secret/:key', version: 'web', params: [], username: null, status: 200 },
      {
        method: 'POST',
        path: `/api/v1/secret/${v1.body.secret_key}`,
        route: '/api/v1/secret/:key',
        version: 'v1',
        params: ['passphrase'],
        username: null,
        status: 200,
      },
      { method: 'GET', path: '/api/v9/nothing', route: null, version: 'v1', params: [], username: null, status: 404 },
    ]);
    expect(ots.control.requests()).toEqual(requests);
  });

  it('keeps no value: not the secret, the passphrase, the token, nor a query value', async () => {
    await http(ots.url, 'POST', `/api/v1/share?secret=${SECRET}&passphrase=${PASSPHRASE}`, { as: ALICE });
    await http(ots.url, 'POST', '/api/v2/secret/conceal', { json: { secret: { secret: SECRET, passphrase: PASSPHRASE } }, as: ALICE });
    const text = (await http(ots.url, 'GET', '/__ots/requests')).text;
    expect(text).toContain('secret.passphrase');
    for (const value of [SECRET, PASSPHRASE, ALICE.token, Buffer.from(`${ALICE.email}:${ALICE.token}`).toString('base64')]) {
      expect(text).not.toContain(value);
    }
  });

  it('leaves out the control API itself, and keeps the latest 1,000', async () => {
    await http(ots.url, 'POST', '/api/v1/share', { form: { secret: 'oldest' } });
    await control(ots.url, 'clock', { advance: 1 });
    for (let batch = 0; batch < 20; batch++) await Promise.all(Array.from({ length: 50 }, () => http(ots.url, 'GET', '/health')));
    const { requests } = (await http(ots.url, 'GET', '/__ots/requests')).body;
    expect(requests).toHaveLength(1000);
    expect(requests.every((r: { path: string }) => r.path === '/health')).toBe(true);
  });
});
