// The control API's shape: what startServer({ control: true }) returns as `control`, the same verbs as /__ots/.
import type { Accounts } from '../auth/accounts.js';
import type { Config } from '../config.js';
import type { SecretsService } from '../domain/secrets-service.js';
import type { FaultState } from './faults.js';
import type { Fixture, FixtureRequest } from './fixtures.js';
import type { RecordedRequest } from './recorder.js';

export type { Fixture, FixtureRequest, FaultState, RecordedRequest };

/** `set` pins the clock at an epoch (seconds); `advance` then moves it by seconds. */
export interface ClockChange {
  advance?: number;
  set?: number;
}

/** The control API; each method takes the JSON body of its `/__ots/` route and answers what the route answers. */
export interface OtsControl {
  /** Forgets every secret, receipt, rate count and recorded request; clock and faults back to normal. */
  reset(): Promise<void>;
  /** Moves the server's clock; answers its time in epoch seconds. */
  clock(change?: ClockChange): { now: number };
  fixture(request: FixtureRequest): Promise<Fixture>;
  faults(change: { store?: 'down' | 'up'; latency_ms?: number }): FaultState;
  requests(): RecordedRequest[];
}

/** What the app hands the control API: the parts it built around the store. */
export interface ControlParts {
  service: SecretsService;
  accounts: Accounts;
  config: Config;
  rateLimit: { forgetRefusals(): void };
}
