// The incoming API's route table (docs/contracts/ots-incoming-api.md §2, §3): upstream's three routes, no
// credentials (any Authorization header is ignored), v2's request merging and error shape.
import type { FastifyRequest } from 'fastify';
import { errors } from '../../domain/errors.js';
import type { IncomingService } from '../../domain/incoming-service.js';
import { clientGroup } from '../../rate-limit/client-address.js';
import type { ApiRoute } from '../route.js';
import { text, v2Params, type Nested } from '../v2/params.js';
import { receiptRecord, secretOf, secretRecord } from '../v2/shapes.js';

const tags = ['incoming'];

export function incomingRoutes(incoming: IncomingService): ApiRoute[] {
  const config = async () => {
    const c = incoming.config();
    return {
      config: {
        enabled: c.enabled,
        memo_max_length: c.memoMaxLength,
        secret_max_length: c.secretMaxLength,
        default_ttl: c.defaultTtl,
        recipients: c.recipients.map((r) => ({ digest: r.digest, display_name: r.displayName })),
      },
    };
  };

  const validate = async (req: FastifyRequest) => incoming.validate(text(v2Params(req).recipient));

  const submit = async (req: FastifyRequest) => {
    const { secret } = v2Params(req);
    // Checked first, even when the feature is off (§3.3).
    if (typeof secret === 'string') throw errors.incorrectPayload();
    const fields: Nested = typeof secret === 'object' && secret !== null && !Array.isArray(secret) ? (secret as Nested) : {};
    const made = await incoming.submit({ secret: text(fields.secret), recipient: text(fields.recipient), memo: text(fields.memo) }, clientGroup(req.ip));
    const { receipt } = made.snapshot;
    return {
      success: true,
      record: { receipt: receiptRecord(receipt, 'v2'), secret: secretRecord(secretOf(receipt)) },
      details: { memo: made.memo, recipient: made.digest },
    };
  };

  return [
    { method: 'GET', path: '/config', auth: 'none', rate: false, schema: { summary: 'Incoming secrets: switch, limits, recipients', tags }, handler: config },
    { method: 'POST', path: '/validate', auth: 'none', rate: 'reveal', schema: { summary: 'Is this digest a recipient?', tags }, handler: validate },
    { method: 'POST', path: '/secret', auth: 'none', rate: 'create', schema: { summary: 'Send a secret to a recipient', tags }, handler: submit },
  ];
}
