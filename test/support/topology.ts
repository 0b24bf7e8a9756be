// Which Redis topology a test run uses: OTS_TEST_TOPOLOGY=single (default) | cluster | sentinel. The global setup
// starts it from the redis-server binary on loopback ports; makeStore connects every Redis store to it.
import type { RedisTarget } from '../../src/store/redis-client.js';

export type TopologyKind = 'single' | 'cluster' | 'sentinel';

export interface StartedTopology {
  kind: TopologyKind;
  /** How the server connects: what REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS would say. */
  target: RedisTarget;
  /** A plain server URL for tools that need one connection: the cluster's first node, or the sentinels' master. */
  url: string;
  /** One line for the run's log. */
  description: string;
  stop(): Promise<void>;
}

export function topologyFromEnv(env: NodeJS.ProcessEnv = process.env): TopologyKind {
  const kind = (env.OTS_TEST_TOPOLOGY ?? 'single').trim().toLowerCase() || 'single';
  if (kind !== 'single' && kind !== 'cluster' && kind !== 'sentinel') {
    throw new Error(`OTS_TEST_TOPOLOGY must be single, cluster or sentinel, got "${env.OTS_TEST_TOPOLOGY}"`);
  }
  return kind;
}
