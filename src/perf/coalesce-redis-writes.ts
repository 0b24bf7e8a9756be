import type { Socket } from 'node:net';
import { Cluster, type Redis } from 'ioredis';

/**
 * Sends every Redis command issued during one turn of the event loop in a single write: ioredis writes each command
 * at once, one system call per command, and its auto-pipelining flushes after each socket callback, so it does not
 * gather the commands of many requests. Corking the socket at the first write and uncorking it in setImmediate
 * (after this turn's I/O callbacks) makes them one writev. Nothing waits past the current turn; timeouts and
 * failure handling stay ioredis's.
 */
export function coalesceWrites(redis: Redis | Cluster): void {
  const onConnection = (client: Redis) => client.on('connect', () => corkPerTurn(client.stream as Socket));
  if (redis instanceof Cluster) redis.on('+node', onConnection);
  else onConnection(redis);
}

const patched = new WeakSet<Socket>();

function corkPerTurn(socket: Socket): void {
  if (patched.has(socket)) return;
  patched.add(socket);
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  const write = socket.write;
  socket.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    return write.apply(this, args);
  } as Socket['write'];
}
