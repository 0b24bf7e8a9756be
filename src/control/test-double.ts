// ots-server as a test double: the adjustable clock, the faulty store over the memory store, the fixtures and the
// request record, behind one object whose methods are the control API (over HTTP in routes.ts, and typed on what
// startServer({ control: true }) returns). Only startServer and the ots-server command create one.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../domain/store.js';
import type { JournalSettings } from '../domain/webhook-queue.js';
import { MemoryStore } from '../store/memory-store.js';
import { ControlClock } from './clock.js';
import type { ControlParts, OtsControl } from './control-api.js';
import { faultyStore, Faults } from './faults.js';
import { makeFixture } from './fixtures.js';
import { RequestRecorder } from './recorder.js';
import { controlRoutes, CONTROL_PREFIX } from './routes.js';

export type { ClockChange, ControlParts, OtsControl } from './control-api.js';

export class TestDouble {
  readonly clock = new ControlClock();
  readonly faults = new Faults();
  readonly recorder = new RequestRecorder();
  /** The store the app is built on: the memory store, as the faults let it answer. */
  readonly store: Store;
  /** The store underneath, for what only a memory store can do (reset, an orphaned fixture). */
  readonly memory: MemoryStore;
  private parts: ControlParts | undefined;

  /** `journal`: the WEBHOOK_EVENTS of WEBHOOK_URL, so a test can receive webhooks too (they follow this clock). */
  constructor(journal?: JournalSettings) {
    this.memory = new MemoryStore(this.clock.now, journal);
    this.store = faultyStore(this.memory, this.faults);
  }

  /** Registered by buildApp before the route tables, so its hook records every request. */
  readonly plugin = fp(async (app: FastifyInstance, parts: ControlParts) => {
    this.parts = parts;
    app.addHook('onResponse', (req, reply, done) => {
      if (!req.url.startsWith(CONTROL_PREFIX)) this.recorder.record(req, reply.statusCode);
      done();
    });
    await app.register(controlRoutes, { control: this.api });
  });

  readonly api: OtsControl = {
    reset: async () => {
      this.memory.secrets.clear();
      this.memory.rateCounts.clear();
      this.memory.webhooks.queue.clear();
      this.built().rateLimit.forgetRefusals();
      this.recorder.clear();
      this.clock.reset();
      this.faults.reset();
    },
    clock: (change = {}) => {
      if (change.set !== undefined) this.clock.set(change.set);
      if (change.advance !== undefined) this.clock.advance(change.advance);
      return { now: Math.floor(this.clock.now() / 1000) };
    },
    fixture: (request) => makeFixture({ ...this.built(), secrets: this.memory.secrets, clock: this.clock }, request),
    faults: (change) => this.faults.set(change),
    requests: () => this.recorder.list(),
  };

  private built(): ControlParts {
    if (!this.parts) throw new Error('the control API is used before the app is built');
    return this.parts;
  }
}
