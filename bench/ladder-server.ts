// The floor (bench/baseline-server.ts) with ots-server's own parts added one rung at a time, to show what each
// feature costs on its own. LADDER_RUNG (cumulative):
//   0 floor: Fastify, form parsing, SET EX / GETDEL
//   1 + the request log line (pino, as the server logs)
//   2 + encryption at rest (seal on create, open on reveal; value stored sealed)
//   3 + the receipt: the real SecretsService and Redis store (secret and receipt in one script each way)
//   4 + the per-client rate limit (counts shared in Redis, taken in the create and claim scripts)
// Usage: REDIS_URL=… PORT=… LADDER_RUNG=n tsx bench/ladder-server.ts (npm run bench:ladder drives it).
import Fastify, { LogController } from 'fastify';
import { Redis } from 'ioredis';
import { createLogger } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { seal, open } from '../src/crypto/seal.js';
import { generateKey } from '../src/domain/keys.js';
import { ANONYMOUS, SecretsService } from '../src/domain/secrets-service.js';
import { parseUrlEncoded } from '../src/plugins/urlencoded.js';
import { requestLogPlugin } from '../src/plugins/request-log.js';
import { RateLimit } from '../src/rate-limit/plugin.js';
import { createStore } from '../src/store/index.js';

const rung = Number(process.env.LADDER_RUNG ?? 0);
const config = loadConfig();
const logger = rung >= 1 ? createLogger(config) : undefined;
// Logging set up as the server does it (src/app.ts): its logger and its request line instead of Fastify's.
const app = Fastify(logger ? { loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) } : {});
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
  done(null, parseUrlEncoded(body as string)),
);
if (rung >= 1) await app.register(requestLogPlugin);

type Form = Record<string, string>;
type Reply = import('fastify').FastifyReply;
const notFound = (reply: Reply) => reply.code(404).send({ message: 'Unknown secret' });

if (rung >= 3) {
  const store = await createStore(config);
  const service = new SecretsService(store.secrets, config, [config.secret], app.log);
  if (rung >= 4) await app.register(new RateLimit({ config, counts: store.rateCounts }).plugin);
  // Each route names its budget, as every route of the server must (the rate limit refuses one that does not).
  const limited = (rateClass: 'create' | 'reveal') => ({ config: { rateClass } });
  app.post('/api/v1/share', limited('create'), async (req) => {
    const { receipt } = await service.share(req.body as Form, ANONYMOUS);
    return { secret_key: receipt.secretKey, metadata_key: receipt.metadataKey };
  });
  app.post<{ Params: { key: string } }>('/api/v1/secret/:key', limited('reveal'), async (req, reply) => {
    try {
      const { value } = await service.reveal(req.params.key, undefined);
      return { value };
    } catch {
      return notFound(reply);
    }
  });
} else {
  const redis = new Redis(config.redisUrl!);
  const master = config.secret;
  app.post('/api/v1/share', async (req) => {
    const { secret = '', ttl } = req.body as Form;
    const key = generateKey();
    const value = rung >= 2 ? await seal(secret, key, master) : secret;
    await redis.set(`base:${key}`, value, 'EX', Number(ttl) || 3600);
    return { secret_key: key };
  });
  app.post<{ Params: { key: string } }>('/api/v1/secret/:key', async (req, reply) => {
    const key = req.params.key;
    const stored = await redis.getdelBuffer(`base:${key}`);
    if (stored === null) return notFound(reply);
    const value = rung >= 2 ? await open(stored, key, [master]) : stored.toString();
    return { value, secret_key: key };
  });
}

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.send?.({ ready: true });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
