// Incoming secrets ("request a secret", docs/contracts/ots-incoming-api.md): builds their service from the
// configuration, offers it to the web pages (`app.incoming`) and serves the API under /api/incoming.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { incomingEnabledOf, incomingRecipientsOf } from '../../config-incoming.js';
import type { Config } from '../../config.js';
import { IncomingService } from '../../domain/incoming-service.js';
import type { SecretsService, ServiceEvents } from '../../domain/secrets-service.js';
import type { Store } from '../../domain/store.js';
import { registerRoutes } from '../route.js';
import { useShapesAsBuilt } from '../v2/index.js';
import { incomingRoutes } from './routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    incoming: IncomingService;
  }
}

export interface IncomingDeps {
  service: SecretsService;
  config: Config;
  store: Store;
  events: ServiceEvents;
}

export function incomingServiceOf({ service, config, store, events }: IncomingDeps): IncomingService {
  const settings = {
    enabled: incomingEnabledOf(config),
    recipients: incomingRecipientsOf(config).map(({ email, name }) => ({ email, displayName: name })),
    memoMaxLength: config.incomingMemoMaxLength,
    secretMaxBytes: config.maxSecretBytes,
    defaultTtl: config.incomingDefaultTtl,
    defaultPassphrase: config.incomingDefaultPassphrase,
    limits: {
      enabled: config.incomingRateLimitEnabled,
      maxPerClient: config.incomingRateLimitMaxPerIp,
      maxPerRecipient: config.incomingRateLimitMaxPerRecipient,
      windowSeconds: config.incomingRateLimitWindow,
      lockoutSeconds: config.incomingRateLimitLockout,
    },
  };
  const masterKeys = [config.secret, ...(config.secretPrevious ?? [])];
  return new IncomingService(service, settings, masterKeys, store.rateCounts, events);
}

export default fp(async function apiIncoming(app: FastifyInstance, deps: IncomingDeps) {
  const incoming = incomingServiceOf(deps);
  app.decorate('incoming', incoming);
  await app.register(
    async (api) => {
      useShapesAsBuilt(api);
      registerRoutes(api, incomingRoutes(incoming));
    },
    { prefix: '/api/incoming' },
  );
});
