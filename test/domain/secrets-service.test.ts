// The service is the one place that decides whether a secret has a passphrase: an empty one is none, on every
// wire version and on both stores, and the record is sealed the way it is flagged.
import { describe, expect, it } from 'vitest';
import { ANONYMOUS, SecretsService } from '../../src/domain/secrets-service.js';
import { makeStore, STORE_KINDS, testConfig } from '../support/app.js';

const silent = { error: () => {} };

describe.each(STORE_KINDS)('SecretsService, an empty passphrase (%s store)', (kind) => {
  const service = async () => {
    const config = testConfig();
    return new SecretsService((await makeStore(kind)).secrets, config, [config.secret], silent);
  };

  it('share with passphrase "" makes a secret without one: flagged so, and revealed without one', async () => {
    const s = await service();
    const { receipt } = await s.share({ secret: 'no passphrase here', passphrase: '' }, ANONYMOUS);
    expect(receipt.passphraseRequired).toBe(false);
    expect(await s.inspect(receipt.secretKey)).toMatchObject({ passphraseProtected: false });
    expect(await s.reveal(receipt.secretKey, undefined)).toMatchObject({ value: 'no passphrase here' });
  });

  it('generate with passphrase "" likewise', async () => {
    const s = await service();
    const { receipt, value } = await s.generate({ passphrase: '' }, ANONYMOUS);
    expect(receipt.passphraseRequired).toBe(false);
    expect(await s.reveal(receipt.secretKey, undefined)).toMatchObject({ value });
  });
});
