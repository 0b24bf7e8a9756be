import type { Socket } from 'node:net';
import { Cluster, type Redis } from 'ioredis';

/**
 * Sends every Redis command issued during one turn of the event loop in a single write. ioredis writes each command
 * to its socket at once, one system call per command; under load a request's rate-limit check, script and receipt
 * update, times every request in flight, made those writes the server's largest cost (`npm run bench`). Corking the
 * socket at the first write and uncorking it in setImmediate (after this turn's I/O callbacks) batches them into
 * one writev. Nothing waits longer than the current turn, and timeouts and failure handling are ioredis's as before.
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
