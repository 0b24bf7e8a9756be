import type { Config } from '../config.js';
import type { SecretsService } from '../domain/secrets-service.js';

/** What the web pages need: the same service as the API (every rule lives there) and a few settings to display. */
export interface WebOptions {
  service: SecretsService;
  config: Pick<
    Config,
    'publicUrl' | 'maxSecretBytes' | 'passphraseMinLength' | 'webTtlChoices' | 'ttlDefault' | 'ttlMaxAnonymous' | 'ttlMax'
  >;
  /** Clock in milliseconds (the app's), for "read 5 minutes ago". */
  now?: () => number;
}
