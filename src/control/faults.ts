// The faults a test can switch on: the store answering as an unreachable Redis does, or slowly. A decorator over
// the Store port, so the stores themselves know nothing of it and every route meets it where it meets Redis.
import { setTimeout as delay } from 'node:timers/promises';
import { StoreUnavailableError, type Store } from '../domain/store.js';

export interface FaultState {
  store: 'down' | 'up';
  latency_ms: number;
}

export class Faults {
  private state: FaultState = { store: 'up', latency_ms: 0 };

  get current(): FaultState {
    return { ...this.state };
  }

  set(change: Partial<FaultState>): FaultState {
    this.state = { ...this.state, ...change };
    return this.current;
  }

  reset(): void {
    this.state = { store: 'up', latency_ms: 0 };
  }

  /** What every store call meets first: the latency, then the outage (a slow Redis that then fails, as a timeout). */
  async gate(): Promise<void> {
    const { latency_ms: latency, store } = this.state;
    if (latency > 0) await delay(latency);
    if (store === 'down') throw new StoreUnavailableError(new Error('store down (test double fault)'));
  }
}

/** The store as `faults` lets it answer: every asynchronous call, ping included, goes through the gate first. */
export function faultyStore(inner: Store, faults: Faults): Store {
  const gate = () => faults.gate();
  return {
    kind: inner.kind,
    // newMetadataKey only generates a key (Redis is not asked either), so it stays synchronous and never fails.
    secrets: gated(inner.secrets, gate, ['newMetadataKey']),
    accounts: gated(inner.accounts, gate),
    rateCounts: gated(inner.rateCounts, gate),
    // The webhook worker is not a user's request: a fault the test injects does not hold it up.
    webhooks: inner.webhooks,
    ping: async () => {
      await gate();
      await inner.ping();
    },
    close: () => inner.close(),
  };
}

function gated<T extends object>(target: T, gate: () => Promise<void>, direct: readonly string[] = []): T {
  return new Proxy(target, {
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop, t);
      if (typeof value !== 'function') return value;
      if (direct.includes(String(prop))) return (value as (...a: unknown[]) => unknown).bind(t);
      return async (...args: unknown[]) => {
        await gate();
        return (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}
