import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';

/**
 * The client's address: Fastify's (the forwarded one behind a TRUST_PROXY peer), unless that is not an address (a
 * forged `X-Forwarded-For: anything`), then the socket peer: otherwise every string would be a client of its own.
 */
export function clientAddress(req: Pick<FastifyRequest, 'ip' | 'socket'>): string | undefined {
  return isIP(req.ip) !== 0 ? req.ip : req.socket.remoteAddress;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
export function ipv6Groups(address: string): number[] {
  let text = address;
  const v4Tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4Tail) {
    const [a, b, c, d] = v4Tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4Tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const before = parse(head);
  const after = tail === undefined ? [] : parse(tail);
  return [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
}

/**
 * The client a rate limit counts: an IPv4 address as is, an IPv6 address by its /64, because one subscriber
 * (a home line, a VM) is routinely given a whole /64 and could otherwise rotate through 2^64 addresses.
 * IPv4-mapped IPv6 (`::ffff:192.0.2.1`, a dual-stack socket) counts as the IPv4 client it is.
 */
export function clientGroup(ip: string | undefined): string {
  const address = (ip ?? '').split('%')[0]!; // a zone id (fe80::1%eth0) names an interface, not a client
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address || 'unknown';
  const g = ipv6Groups(address);
  if (g.slice(0, 5).every((group) => group === 0) && g[5] === 0xffff) {
    return [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff].join('.');
  }
  return `${g
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}
