// The control API over HTTP, under /__ots/, for tests in any language: each route reads its JSON (or form) body,
// calls the same method startServer's typed `control` offers, and answers JSON. Bad input is a 400 naming the field.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { OtsError } from '../domain/errors.js';
import { StoreUnavailableError } from '../domain/store.js';
import { FIXTURE_STATES, FixtureError, type FixtureRequest, type FixtureState } from './fixtures.js';
import type { OtsControl } from './control-api.js';

export const CONTROL_PREFIX = '/__ots/';

/** Longest latency a fault may add to each store call: beyond it a test would only time out. */
const MAX_LATENCY_MS = 60_000;

class BadInput extends Error {}

type Body = Record<string, unknown>;

/** Not rate limited, no credentials: the control API is the test's, not a client's. */
const config = { rateClass: false, auth: 'none' } as const;

export async function controlRoutes(app: FastifyInstance, opts: { control: OtsControl }) {
  const { control } = opts;
  const body = (raw: unknown): Body => (raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Body) : {});

  app.post(`${CONTROL_PREFIX}reset`, { config }, async (_req, reply) => {
    await control.reset();
    return reply.send({ ok: true });
  });

  app.get(`${CONTROL_PREFIX}clock`, { config }, async () => control.clock());
  app.post(`${CONTROL_PREFIX}clock`, { config }, async (req, reply) =>
    answer(reply, () => {
      const b = body(req.body);
      return control.clock({ set: number(b, 'set'), advance: number(b, 'advance') });
    }),
  );

  app.post(`${CONTROL_PREFIX}fixtures`, { config }, async (req, reply) => answer(reply, () => control.fixture(fixtureRequest(body(req.body)))));

  app.get(`${CONTROL_PREFIX}faults`, { config }, async () => control.faults({}));
  app.post(`${CONTROL_PREFIX}faults`, { config }, async (req, reply) =>
    answer(reply, () => {
      const b = body(req.body);
      const store = b.store;
      if (store !== undefined && store !== 'down' && store !== 'up') throw new BadInput('store must be "down" or "up"');
      const latency = number(b, 'latency_ms');
      if (latency !== undefined && (latency < 0 || latency > MAX_LATENCY_MS)) throw new BadInput(`latency_ms must be 0 to ${MAX_LATENCY_MS}`);
      return control.faults({ ...(store !== undefined && { store }), ...(latency !== undefined && { latency_ms: latency }) });
    }),
  );

  app.get(`${CONTROL_PREFIX}requests`, { config }, async () => ({ requests: control.requests() }));
}

/** Runs a control call and answers its result, or the reason it could not be done. */
async function answer(reply: FastifyReply, call: () => unknown): Promise<FastifyReply> {
  try {
    return reply.send(await call());
  } catch (err) {
    if (err instanceof BadInput || err instanceof FixtureError) return reply.code(400).send({ error: err.message });
    // A fixture the service refuses (a passphrase too short, a secret too large): the service's own error code.
    if (err instanceof OtsError) return reply.code(400).send({ error: err.code });
    if (err instanceof StoreUnavailableError) return reply.code(503).send({ error: 'the store is down (a fault is on): make fixtures first' });
    throw err;
  }
}

/** A number from JSON or a form field (`advance=60`); undefined when absent. */
function number(b: Body, name: string): number | undefined {
  const raw = b[name];
  if (raw === undefined || raw === '') return undefined;
  const value = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new BadInput(`${name} must be a number`);
  return value;
}

function fixtureRequest(b: Body): FixtureRequest {
  const state = b.state;
  if (typeof state !== 'string' || !FIXTURE_STATES.includes(state as FixtureState)) {
    throw new BadInput(`state must be one of ${FIXTURE_STATES.join(', ')}`);
  }
  const request: FixtureRequest = { state: state as FixtureState };
  for (const name of ['secret', 'passphrase', 'account'] as const) {
    const value = b[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new BadInput(`${name} must be a string`);
    request[name] = value;
  }
  const ttl = number(b, 'ttl');
  if (ttl !== undefined) {
    if (!Number.isInteger(ttl) || ttl < 1) throw new BadInput('ttl must be a whole number of seconds, at least 1');
    request.ttl = ttl;
  }
  return request;
}
