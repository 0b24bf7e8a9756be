// The floor of this stack, for comparison: Fastify, form parsing, one ioredis command per request.
// No auth, no crypto, no receipts, no logging. Usage: REDIS_URL=… PORT=… tsx bench/baseline-server.ts
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { parseUrlEncoded } from '../src/plugins/urlencoded.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const app = Fastify({ logger: false });
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
  done(null, parseUrlEncoded(body as string)),
);

app.post('/api/v1/share', async (req) => {
  const { secret, ttl } = req.body as Record<string, string>;
  const key = randomBytes(20).toString('hex');
  await redis.set(`base:${key}`, secret ?? '', 'EX', Number(ttl) || 3600);
  return { secret_key: key };
});

app.post<{ Params: { key: string } }>('/api/v1/secret/:key', async (req, reply) => {
  const value = await redis.getdel(`base:${req.params.key}`);
  if (value === null) return reply.code(404).send({ message: 'Unknown secret' });
  return { value, secret_key: req.params.key };
});

// Floor for the receipt view: one GET.
app.get<{ Params: { key: string } }>('/api/v1/private/:key', async (req, reply) => {
  const value = await redis.get(`base:${req.params.key}`);
  if (value === null) return reply.code(404).send({ message: 'Unknown secret' });
  return { secret_key: req.params.key };
});

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.send?.({ ready: true });
process.on('SIGTERM', () => void app.close().then(() => redis.quit()).then(() => process.exit(0)));
