// TRUST_PROXY's entries as a matcher of socket peers, for what Fastify's own trustProxy does not cover (the
// per-client connection cap, which runs before any request exists).
import { BlockList, isIPv4 } from 'node:net';

/** proxy-addr's names, as ranges. */
const NAMED: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** True when `address` (a socket peer) is one of the proxies `entries` (TRUST_PROXY's list) names. */
export function trustedPeers(entries: readonly string[] | undefined): (address: string | undefined) => boolean {
  const list = new BlockList();
  for (const entry of (entries ?? []).flatMap((e) => NAMED[e] ?? [e])) {
    const [address = '', bits] = entry.split('/');
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return (address) => {
    if (!address || (entries ?? []).length === 0) return false;
    const plain = address.split('%')[0]!;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain)?.[1];
    return mapped ? list.check(mapped, 'ipv4') : list.check(plain, isIPv4(plain) ? 'ipv4' : 'ipv6');
  };
}
