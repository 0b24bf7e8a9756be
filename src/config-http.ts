// The settings of the HTTP edge: how long a client may take to send a request, how long an idle connection stays,
// and how many connections one client may hold (config.ts spreads them into its schema, in this order).
import { int, setting } from './config-parsers.js';

export const httpEdgeSettings = {
  headersTimeout: setting(
    'HEADERS_TIMEOUT',
    '10',
    'Seconds a client has to send the whole request head (request line and headers); slower ones (slowloris) get a 408 and are disconnected.',
    int(1, 3600),
  ),
  requestTimeout: setting(
    'REQUEST_TIMEOUT',
    '30',
    'Seconds a client has to send the whole request, body included (at least `HEADERS_TIMEOUT`); a body that stalls gets a 408 and the connection is closed. The time the server takes to answer does not count.',
    int(1, 3600),
  ),
  keepAliveTimeout: setting(
    'KEEP_ALIVE_TIMEOUT',
    '72',
    'Seconds an idle keep-alive connection stays open for the next request. Keep it above the idle timeout of a load balancer in front (60 s on most), so that it, not this server, closes idle connections.',
    int(1, 3600),
  ),
  maxConnectionsPerClient: setting(
    'MAX_CONNECTIONS_PER_CLIENT',
    '128',
    'Open connections one client (an IPv4 address or an IPv6 /64, the socket peer) may hold; more are closed at once. Not applied to peers named in `TRUST_PROXY`, which carry many clients. 0 turns this limit off.',
    int(0),
  ),
};
