import type { TestProject } from 'vitest/node';
import type { RedisTarget } from '../../src/store/redis-client.js';
import { startTestRedis } from './redis.js';
import { startCluster } from './topology-cluster.js';
import { startSentinelSet } from './topology-sentinel.js';
import { topologyFromEnv } from './topology.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A plain server URL (a Cluster's first node, a Sentinel set's master): for tools that need one connection. */
    redisUrl: string;
    /** How stores connect in this run: one server, or the Cluster / Sentinel set OTS_TEST_TOPOLOGY asked for. */
    redisTarget: RedisTarget;
  }
}

/**
 * One Redis for the whole run; each test app uses its own key prefix, so files can run in parallel.
 * OTS_TEST_TOPOLOGY=cluster or sentinel starts a three-master Cluster or a master + replica + Sentinel instead.
 */
export default async function setup(project: TestProject) {
  const kind = topologyFromEnv();
  if (kind !== 'single') {
    const topology = kind === 'cluster' ? await startCluster() : await startSentinelSet();
    process.stdout.write(`tests use ${topology.description}\n`);
    project.provide('redisUrl', topology.url);
    project.provide('redisTarget', topology.target);
    return async () => topology.stop();
  }
  const redis = await startTestRedis();
  process.stdout.write(`tests use Redis from ${redis.source} at ${redis.url}\n`);
  project.provide('redisUrl', redis.url);
  project.provide('redisTarget', { kind: 'single', url: redis.url });
  return async () => redis.stop();
}
