// The v1 route table (the v1 contract of docs/api-v1.md, §1): flat parameters in, the classic receipt shapes out.
import { shortKey } from '../../domain/keys.js';
import { passwordLength } from '../../domain/password.js';
import { receiptView, recentView } from './receipt-view.js';
import type { SecretsService } from '../../domain/secrets-service.js';
import type { Store } from '../../domain/store.js';
import { keyParam, type ApiRoute } from '../route.js';
import { storeStatus } from '../status.js';
import {
  authcheckSchema,
  burnSchema,
  generateSchema,
  viewReceiptSchema,
  recentSchema,
  revealSchema,
  shareSchema,
  statusSchema,
} from './schemas.js';

export interface V1Deps {
  service: SecretsService;
  store: Store;
  /** The server's public origin, answered as `share_domain` by a reveal. */
  publicUrl: string;
}

export function v1Routes({ service, store, publicUrl }: V1Deps): ApiRoute[] {
  const status = async () => ({ status: (await storeStatus(store)) ? 'nominal' : 'offline', locale: 'en' });
  // The receipt routes under their three historical names: /private, and its aliases /metadata and /receipt.
  // Static before parametric in Fastify's router: `recent` is never taken for a key.
  const under = (suffix: string) => ['/metadata', '/receipt'].map((base) => `${base}${suffix}`);
  return [
    { method: 'GET', path: '/status', auth: 'basic+anon', rate: false, schema: statusSchema, handler: status },
    { method: 'GET', path: '/authcheck', auth: 'basic', rate: 'receipt', schema: authcheckSchema, handler: status },
    {
      method: 'POST',
      path: '/share',
      aliases: ['/create'],
      auth: 'basic+anon',
      rate: 'create',
      schema: shareSchema,
      handler: async (req) => {
        const created = await service.share(req.otsParams, req.actor);
        return receiptView(created.receipt, created);
      },
    },
    {
      method: 'POST',
      path: '/generate',
      auth: 'basic+anon',
      rate: 'create',
      schema: generateSchema,
      handler: async (req) => {
        const { value, ...created } = await service.generate(
          { ...req.otsParams, length: passwordLength(req.otsParams.length) },
          req.actor,
        );
        return { ...receiptView(created.receipt, created), value };
      },
    },
    {
      method: 'POST',
      path: '/secret/:key',
      auth: 'basic+anon',
      rate: 'reveal',
      schema: revealSchema,
      handler: async (req) => {
        const { value } = await service.reveal(keyParam(req), req.otsParams.passphrase);
        return { value, secret_key: keyParam(req), share_domain: publicUrl };
      },
    },
    {
      method: 'GET',
      path: '/private/recent',
      aliases: under('/recent'),
      auth: 'basic',
      rate: 'receipt',
      schema: recentSchema,
      handler: async (req) => (await service.recent(req.actor)).map((s) => recentView(s.receipt, s)),
    },
    {
      method: ['GET', 'POST'],
      path: '/private/:key',
      aliases: under('/:key'),
      auth: 'basic+anon',
      rate: 'receipt',
      schema: viewReceiptSchema,
      handler: async (req) => {
        const found = await service.viewReceipt(keyParam(req), req.actor);
        return receiptView(found.receipt, found);
      },
    },
    {
      method: 'POST',
      path: '/private/:key/burn',
      aliases: under('/:key/burn'),
      auth: 'basic+anon',
      rate: 'burn',
      schema: burnSchema,
      handler: async (req) => {
        const burned = await service.burn(keyParam(req), req.otsParams.passphrase, req.actor);
        return { state: receiptView(burned.receipt, burned), secret_shortkey: shortKey(burned.receipt.secretKey) };
      },
    },
  ];
}
