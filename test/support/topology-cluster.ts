// A three-master Redis Cluster from the redis-server binary on loopback ports: slots split in three, nodes
// introduced with CLUSTER MEET, ready once every node reports cluster_state:ok. No replicas: the suites test
// that every command and script stays within one slot, which three masters already prove.
import { Redis } from 'ioredis';
import type { HostPort } from '../../src/config.js';
import { freePort, RedisServer } from './redis-server.js';
import type { StartedTopology } from './topology.js';

const SLOTS = 16_384;

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

async function adminOf<T>(port: number, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

/** Polls until every node sees all nodes and all slots; fails with the last CLUSTER INFO after the deadline. */
async function waitForClusterOk(ports: number[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const infos = await Promise.all(ports.map((p) => adminOf(p, (r) => r.call('CLUSTER', 'INFO') as Promise<string>)));
    const ok = infos.every(
      (info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${ports.length}`),
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`Redis Cluster did not become ready:\n${infos.join('\n---\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts the nodes, gives each a third of the slots and a distinct config epoch, and joins them. */
export interface ClusterTopology extends StartedTopology {
  /** The master nodes, to stop and start in fault tests (each keeps its nodes.conf across a restart). */
  servers: RedisServer[];
}

export async function startCluster(masters = 3): Promise<ClusterTopology> {
  const ports = await distinctFreePorts(masters * 2);
  const servers: RedisServer[] = [];
  const stop = async () => void (await Promise.all(servers.map((s) => s.destroy())));
  try {
    for (let i = 0; i < masters; i++) {
      const [port, busPort] = [ports[i * 2]!, ports[i * 2 + 1]!];
      const args = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort)];
      servers.push(await RedisServer.start({ port, args: [...args, '--cluster-node-timeout', '5000', '--appendonly', 'no'] }));
    }
    const per = Math.ceil(SLOTS / masters);
    await Promise.all(
      servers.map((s, i) =>
        adminOf(s.port, async (r) => {
          await r.call('CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1));
          await r.call('CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min((i + 1) * per, SLOTS) - 1));
        }),
      ),
    );
    await adminOf(servers[0]!.port, async (r) => {
      for (let i = 1; i < masters; i++) {
        await r.call('CLUSTER', 'MEET', '127.0.0.1', String(servers[i]!.port), String(ports[i * 2 + 1]));
      }
    });
    await waitForClusterOk(servers.map((s) => s.port));
  } catch (err) {
    await stop();
    throw err;
  }
  const nodes: HostPort[] = servers.map((s) => ({ host: '127.0.0.1', port: s.port }));
  return {
    kind: 'cluster',
    servers,
    target: { kind: 'cluster', nodes },
    url: servers[0]!.url,
    description: `a ${masters}-master Redis Cluster at ${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`,
    stop,
  };
}
