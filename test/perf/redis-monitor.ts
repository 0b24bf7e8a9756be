// What Redis saw one client send, read on the server with MONITOR (on each master a Cluster client talks to) and
// kept to that client's own connections: each command a client sends is a round trip of its own.
import type { Socket } from 'node:net';
import { Redis, type Cluster } from 'ioredis';
import type { OtsRedis } from '../../src/store/redis-client.js';

/** The commands (lower-case names) `client` sent while `during` ran; commands run inside scripts are not among them. */
export async function commandsSentBy(client: OtsRedis, during: () => Promise<unknown>): Promise<string[]> {
  const connections: Redis[] = client.isCluster ? (client as unknown as Cluster).nodes('master') : [client as unknown as Redis];
  await Promise.all(connections.map((c) => c.ping())); // every connection open before watching
  const watches = await Promise.all(
    connections.map(async (connection) => {
      const socket = connection.stream as Socket;
      const admin = new Redis(socket.remotePort!, socket.remoteAddress!, { lazyConnect: true });
      const monitor = await admin.monitor();
      const marker = `end-of-watch-${socket.localPort}-${Date.now()}`;
      const seen: string[] = [];
      // The client's ECHO of the marker comes after everything it sent before: MONITOR's feed is in that order.
      const ended = new Promise<void>((resolve) => {
        monitor.on('monitor', (_time: string, args: string[], source: string) => {
          if (!source.endsWith(`:${socket.localPort}`)) return;
          if (String(args[0]).toLowerCase() === 'echo' && args[1] === marker) resolve();
          else seen.push(String(args[0]).toLowerCase());
        });
      });
      return { connection, admin, monitor, marker, seen, ended };
    }),
  );
  try {
    await during();
    await Promise.all(watches.map((w) => w.connection.echo(w.marker)));
    await Promise.all(watches.map((w) => w.ended));
    return watches.flatMap((w) => w.seen);
  } finally {
    for (const w of watches) {
      w.monitor.disconnect();
      w.admin.disconnect();
    }
  }
}
