// Commands issued in one turn of the event loop reach Redis in one socket write (src/perf/coalesce-redis-writes.ts),
// in order, and nothing is held back past that turn.
import type { Socket } from 'node:net';
import { type Cluster, type Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisClient } from '../../src/store/redis-client.js';
import { redisUrl } from '../support/app.js';
import { startCluster } from '../support/topology-cluster.js';

/** Counts the socket's calls into the kernel-facing write paths of Node's stream (one per system call). */
function countWrites(socket: Socket) {
  const counts = { write: 0, writev: 0, chunks: 0 };
  const s = socket as Socket & { _write: Socket['_write']; _writev: NonNullable<Socket['_writev']> };
  const write = s._write.bind(s);
  const writev = s._writev.bind(s);
  s._write = (chunk, encoding, cb) => {
    counts.write++;
    counts.chunks++;
    write(chunk, encoding, cb);
  };
  s._writev = (chunks, cb) => {
    counts.writev++;
    counts.chunks += chunks.length;
    writev(chunks, cb);
  };
  return counts;
}

describe('Redis write coalescing', () => {
  const clients: Redis[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.quit()));
  });

  async function connected(client: Redis): Promise<Redis> {
    clients.push(client);
    await client.connect();
    return client;
  }

  it('sends 50 commands issued in one turn as one write, answered in order', async () => {
    const client = await connected(createRedisClient(redisUrl()) as Redis);
    const counts = countWrites(client.stream as Socket);
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => client.echo(`m${i}`)));
    expect(replies).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    expect(counts).toEqual({ write: 0, writev: 1, chunks: 50 });
  });

  // A Cluster client opens a connection per node as it learns the slot map: each is coalesced as it connects.
  it('coalesces every node connection of a Cluster client: one write per node for one turn of commands', async () => {
    const cluster = await startCluster();
    const client = createRedisClient(cluster.target) as Cluster;
    try {
      await client.connect();
      const masters = client.nodes('master');
      await Promise.all(masters.map((node) => node.ping())); // every node connected before counting
      const counts = masters.map((node) => countWrites(node.stream as Socket));
      const keys = Array.from({ length: 60 }, (_, i) => `coalesce-cluster-${i}`); // spread over the three masters
      expect(await Promise.all(keys.map((key) => client.set(key, 'v')))).toEqual(keys.map(() => 'OK'));
      expect(counts.filter((c) => c.chunks > 0)).toHaveLength(3);
      for (const c of counts) expect({ ...c, chunks: 0 }).toEqual({ write: 0, writev: 1, chunks: 0 });
      expect(counts.reduce((sum, c) => sum + c.chunks, 0)).toBe(60);
    } finally {
      client.disconnect();
      await cluster.stop();
    }
  });

  it('holds nothing past the turn: commands that each wait for the one before are all sent', async () => {
    const client = await connected(createRedisClient(redisUrl()) as Redis);
    const counts = countWrites(client.stream as Socket);
    for (let i = 0; i < 20; i++) expect(await client.incr('coalesce-test-counter')).toBe(i + 1);
    await client.del('coalesce-test-counter');
    expect(counts.chunks).toBe(21);
  });

  it('follows a reconnect: the new connection is coalesced too', async () => {
    const client = await connected(createRedisClient(redisUrl()) as Redis);
    const first = client.stream;
    client.disconnect(true);
    await new Promise((resolve) => client.once('ready', resolve));
    expect(client.stream).not.toBe(first);
    const counts = countWrites(client.stream as Socket);
    await Promise.all(Array.from({ length: 10 }, () => client.ping()));
    expect(counts).toEqual({ write: 0, writev: 1, chunks: 10 });
  });
});
