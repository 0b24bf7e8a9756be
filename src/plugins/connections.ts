// What the HTTP server's connections may hold: at most MAX_CONNECTIONS_PER_CLIENT per client, and on shutdown
// nothing but requests in flight. Node's timeouts (app.ts) end slow heads and stalled bodies; this ends the many
// a single address could otherwise open, and lets close() finish without waiting for clients that send nothing.
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { clientGroup } from '../rate-limit/client-address.js';

export interface ConnectionsOptions {
  /** Open connections per client; 0: no limit. */
  maxPerClient: number;
  /** True for the TRUST_PROXY peers, which carry many clients and are never capped. */
  isTrustedPeer: (address: string | undefined) => boolean;
}

/** How long a body still arriving at shutdown may go without a byte before its connection is closed. */
const STALLED_MS = 2000;

/** At most one line a minute says connections are being refused (a flood would otherwise flood the log too). */
const REFUSED_LOG_INTERVAL_MS = 60_000;

export const connectionsPlugin = fp(async (app: FastifyInstance, opts: ConnectionsOptions) => {
  const perClient = new Map<string, number>();
  // Each open socket, and the request it carries once its head has arrived (undefined while idle or reading a head).
  const sockets = new Map<Socket, { bodyArrived: () => boolean } | undefined>();
  let refusedLoggedAt = -Infinity;

  app.server.on('connection', (socket: Socket) => {
    const peer = socket.remoteAddress;
    const capped = opts.maxPerClient > 0 && !opts.isTrustedPeer(peer);
    const client = clientGroup(peer);
    if (capped) {
      const open = (perClient.get(client) ?? 0) + 1;
      if (open > opts.maxPerClient) {
        socket.destroy();
        if (Date.now() - refusedLoggedAt >= REFUSED_LOG_INTERVAL_MS) {
          refusedLoggedAt = Date.now();
          app.log.warn({ client, limit: opts.maxPerClient }, 'connection refused: client holds MAX_CONNECTIONS_PER_CLIENT');
        }
        return;
      }
      perClient.set(client, open);
    }
    sockets.set(socket, undefined);
    socket.once('close', () => {
      sockets.delete(socket);
      if (!capped) return;
      const left = (perClient.get(client) ?? 1) - 1;
      if (left === 0) perClient.delete(client);
      else perClient.set(client, left);
    });
  });

  app.addHook('onRequest', (req, _reply, done) => {
    const socket = req.raw.socket;
    if (sockets.has(socket)) sockets.set(socket, { bodyArrived: () => req.raw.complete });
    done();
  });
  app.addHook('onResponse', (req, _reply, done) => {
    if (sockets.has(req.raw.socket)) sockets.set(req.raw.socket, undefined);
    done();
  });
  // Before the server stops listening: connections that are idle or still sending their head are closed now. A
  // body still arriving is kept while it keeps arriving (a slow upload finishes) and closed after STALLED_MS of
  // silence (one that never comes no longer holds the shutdown). Requests being answered are waited for.
  app.addHook('preClose', (done) => {
    for (const [socket, request] of sockets) {
      if (request === undefined) socket.destroy();
      else if (!request.bodyArrived()) socket.setTimeout(STALLED_MS, () => socket.destroy());
    }
    done();
  });
});
