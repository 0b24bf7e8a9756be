// The parsers of the configuration schema (config.ts): each turns one environment variable's text into its value or
// throws ConfigError with a message naming the variable.
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { isTypableToken, TYPABLE_TOKEN_RULE } from './crypto/tokens.js';

export class ConfigError extends Error {}

export type Parser<T> = (raw: string, name: string) => T;

export interface Setting<T> {
  env: string;
  default: string | undefined;
  doc: string;
  parse: Parser<T>;
}

export const int =
  (min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> =>
  (raw, name) => {
    if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
    const value = Number(raw.trim());
    if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
    return value;
  };

export const bool: Parser<boolean> = (raw, name) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
};

export const text: Parser<string> = (raw) => raw.trim();

/** A process count: a whole number, or `auto` for the available parallelism (the cores this process may use). */
export const processCount: Parser<number> = (raw, name) =>
  raw.trim().toLowerCase() === 'auto' ? availableParallelism() : int(1, 256)(raw, name);

export const oneOf =
  <T extends string>(...values: T[]): Parser<T> =>
  (raw, name) => {
    const v = raw.trim().toLowerCase() as T;
    if (!values.includes(v)) throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
    return v;
  };

export const optional =
  <T>(parse: Parser<T>): Parser<T | undefined> =>
  (raw, name) =>
    raw.trim() === '' ? undefined : parse(raw, name);

/** A master key: at least 32 bytes, given as hex or base64. */
export const parseMasterKey: Parser<Buffer> = (raw, name) => {
  const v = raw.trim();
  let key: Buffer;
  if (/^[0-9a-fA-F]+$/.test(v) && v.length % 2 === 0) key = Buffer.from(v, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) key = Buffer.from(v, 'base64');
  else throw new ConfigError(`${name} must be hex or base64 (generate one with: openssl rand -hex 32)`);
  if (key.length < 32) {
    throw new ConfigError(`${name} must hold at least 32 random bytes, got ${key.length} (generate one with: openssl rand -hex 32)`);
  }
  if (new Set(key).size < 8) throw new ConfigError(`${name} is not random enough (generate one with: openssl rand -hex 32)`);
  return key;
};

/** The non-empty, trimmed entries of a comma-separated setting. */
export function entries(raw: string): string[] {
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

export const keyList: Parser<Buffer[]> = (raw, name) => entries(raw).map((part) => parseMasterKey(part, name));

export interface StaticAccount {
  email: string;
  token: string;
}

export const accounts: Parser<StaticAccount[]> = (raw, name) =>
  entries(raw).map((pair) => {
    const at = pair.indexOf(':');
    const email = pair.slice(0, at).trim().toLowerCase();
    const token = pair.slice(at + 1).trim();
    if (at < 1 || !email.includes('@') || !isTypableToken(token)) {
      // The token is never echoed: it is a credential.
      throw new ConfigError(`${name} entries must be email:token, the token ${TYPABLE_TOKEN_RULE}`);
    }
    return { email, token };
  });

/** An origin with an optional path (sub-path hosting), without a trailing slash: `https://host` or `https://host/ots`. */
export const baseUrl: Parser<string> = (raw, name) => {
  const v = raw.trim();
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL such as https://secrets.example.com, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${name} must use http or https`);
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError(`${name} must be an origin with an optional path, without user, query or fragment, got "${raw}"`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
};

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Durations such as `300,1h,7d` (a bare number is seconds) → distinct seconds, ascending. */
export const durationList: Parser<number[]> = (raw, name) => {
  const seconds = entries(raw.toLowerCase()).map((part) => {
    const match = /^(\d+)\s*([smhd]?)$/.exec(part);
    if (!match) throw new ConfigError(`${name} entries must be durations such as 300, 5m, 1h or 7d, got "${part}"`);
    return Number(match[1]) * UNIT_SECONDS[match[2] || 's']!;
  });
  if (seconds.length === 0) throw new ConfigError(`${name} must list at least one duration`);
  return [...new Set(seconds)].sort((a, b) => a - b);
};

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** Proxies to trust, for Fastify's trustProxy: IP addresses, CIDR ranges or proxy-addr's names. Never "everyone". */
export const proxyList: Parser<string[]> = (raw, name) =>
  entries(raw).map((entry) => {
    if (PROXY_NAMES.includes(entry.toLowerCase())) return entry.toLowerCase();
    const [address = '', bits, ...rest] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 4 ? 32 : 128;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (family === 0 || rest.length > 0 || !bitsOk) {
      throw new ConfigError(
        `${name} entries must be IP addresses or CIDR ranges of your proxies (e.g. 10.0.0.0/8, ::1, loopback), got "${entry}"`,
      );
    }
    // 0.0.0.0/0, ::/0, or halves of them, would let every client forge its address (a fresh rate budget each time).
    const widest = family === 4 ? 8 : /^::ffff:/i.test(address) ? 104 : 16;
    if (bits !== undefined && Number(bits) < widest) {
      throw new ConfigError(`${name} range "${entry}" is too wide to be your proxies: at most /8 for IPv4, /16 for IPv6`);
    }
    return entry;
  });

/** A Redis URL: `redis://` or `rediss://` (TLS), with optional user, password and database number. */
export const redisUrl: Parser<string> = (raw, name) => {
  const v = raw.trim();
  if (!/^rediss?:\/\/[^\s]+$/i.test(v)) {
    // The value is never echoed: it may hold the Redis password.
    throw new ConfigError(`${name} must be a redis:// or rediss:// URL such as redis://:password@127.0.0.1:6379 (the value given is not shown: it may hold a password)`);
  }
  return v;
};

export interface HostPort {
  host: string;
  port: number;
}

/** `host:port,host:port` (IPv6 as `[::1]:port`) → addresses, for Redis Cluster seeds and Sentinels. */
export const hostPorts: Parser<HostPort[]> = (raw, name) => {
  const list = entries(raw).map((entry) => {
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65535) {
      throw new ConfigError(`${name} entries must be host:port (IPv6 as [addr]:port), got "${entry}"`);
    }
    return { host: (match[1] ?? match[2])!, port };
  });
  if (list.length === 0) throw new ConfigError(`${name} must list at least one host:port`);
  return list;
};

/** An SMTP URL for nodemailer: `smtp://` (STARTTLS when offered) or `smtps://` (TLS), with optional credentials. */
export const smtpUrl: Parser<string> = (raw, name) => {
  const v = raw.trim();
  // The value is never echoed: it may hold the SMTP password.
  if (!/^smtps?:\/\/[^\s/]+/i.test(v)) throw new ConfigError(`${name} must be an smtp:// or smtps:// URL such as smtp://user:pass@mail.example.com:587`);
  return v;
};

/** A sender address, bare (`ots@example.com`) or with a display name (`Secrets <ots@example.com>`). */
export const mailbox: Parser<string> = (raw, name) => {
  const v = raw.trim();
  if (!/^(?:[^<>@\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(v)) {
    throw new ConfigError(`${name} must be an email address such as ots@example.com or "Secrets <ots@example.com>", got "${raw}"`);
  }
  return v;
};

export function setting<T>(env: string, def: string | undefined, doc: string, parse: Parser<T>): Setting<T> {
  return { env, default: def, doc, parse };
}
