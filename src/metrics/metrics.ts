// The server's Prometheus metrics: one registry per app, so tests and several apps in one process never share counts.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ServiceEvents } from '../domain/secrets-service.js';
import type { EvictionPolicy } from '../store/eviction-policy.js';
import { statusClassOf } from './status-class.js';


/**
 * Counters for what happens to secrets, a request-duration histogram and the process's default metrics.
 * Labels are limited to HTTP method, route pattern (`/api/v1/secret/:key`, never a URL) and status class,
 * so no key, address or secret can ever reach a label.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly created = this.counter('ots_secrets_created_total', 'Secrets stored (share, create, generate, web form).');
  readonly revealed = this.counter('ots_secrets_revealed_total', 'Secrets revealed (and so destroyed) by their recipient.');
  readonly burned = this.counter('ots_secrets_burned_total', 'Secrets burned by their creator before being read.');
  readonly expired = this.counter(
    'ots_secrets_expired_total',
    'Secrets found expired unread; counted when their receipt is next looked at, not at the moment they expire.',
  );
  readonly wrongPassphrases = this.counter(
    'ots_passphrase_failures_total',
    'Wrong passphrases given for a protected secret, on reveal or burn.',
  );
  readonly incomingReceived = this.counter('ots_incoming_received_total', 'Incoming secrets submitted to an operator recipient.');
  readonly rateLimited = this.counter(
    'ots_rate_limited_total',
    'Requests refused as rate limited (per-client budgets and per-secret passphrase guessing).',
  );
  readonly requestDuration = new Histogram({
    name: 'ots_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route pattern and status class.',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The secrets service's events, counted. */
  readonly serviceEvents: ServiceEvents = {
    created: () => this.created.inc(),
    revealed: () => this.revealed.inc(),
    burned: () => this.burned.inc(),
    expired: () => this.expired.inc(),
    wrongPassphrase: () => this.wrongPassphrases.inc(),
    incomingReceived: () => this.incomingReceived.inc(),
  };

  /** One answered request; `limited` when it was refused as rate limited (whatever status compat mode sent). */
  observeRequest(method: string, route: string, status: number, seconds: number, limited: boolean): void {
    this.requestDuration.observe({ method, route, status_class: statusClassOf(status) }, seconds);
    if (limited) this.rateLimited.inc();
  }

  /** Redis's eviction policy as last read, by `policy` label: 1 noeviction, 0 evicting, -1 unknown (CONFIG refused). */
  reportEvictionPolicy(read: () => EvictionPolicy | undefined): void {
    new Gauge({
      name: 'ots_store_eviction_policy_safe',
      help: 'Whether Redis keeps every key until it expires: 1 for maxmemory-policy noeviction, 0 for a policy that evicts, -1 when CONFIG is refused.',
      labelNames: ['policy'] as const,
      // Summed over workers, 1 + 0 would read as safe: the worst one wins.
      aggregator: 'min',
      registers: [this.registry],
      collect() {
        this.reset();
        const p = read();
        if (p) this.set({ policy: p.kind === 'unknown' ? 'unknown' : p.policy }, { safe: 1, evicting: 0, unknown: -1 }[p.kind]);
      },
    });
  }

  private counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.registry] });
  }
}
