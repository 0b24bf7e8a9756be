// docker-compose.yml on a real Docker engine, as the README's deployment section tells a user to run it: a copy of
// the project with a .env made from .env.example, `up -d --build`, the app's own HEALTHCHECK, the API through the
// port published on 127.0.0.1, an account made with `exec … admin.js`, the containers' security settings as the
// engine reports them and as seen from inside, secrets kept across `restart`, a graceful `stop` and a clean
// `down -v`. The base images are the environment's NODE_IMAGE and REDIS_IMAGE (docker/base-images.sh), else the
// official ones. Each step is timed (`[docker] …` lines). Runs with OTS_TEST_DOCKER=1 only (see ./docker.ts).
import '../support/legacy-util.js';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/built.js';
import { freePort } from '../support/redis-server.js';
import { burn, call, reveal, share } from '../deploy/http.js';
import { composeCommand, docker, DOCKER_TESTS, inspect, must, NODE_IMAGE, note, readyBody, REDIS_IMAGE, run, step } from './docker.js';

/** What a checkout holds that the build and compose read. */
const PROJECT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'docker',
  'docker-compose.yml', '.dockerignore', '.env.example'];
const SECRETS_ACROSS_RESTART = 20;
const MINUTES = 60_000;

interface Container {
  Config: { User: string; Labels: Record<string, string> };
  State: { Status: string; ExitCode: number; Health?: { Status: string } };
  HostConfig: {
    ReadonlyRootfs: boolean;
    CapDrop: string[] | null;
    CapAdd: string[] | null;
    SecurityOpt: string[] | null;
    PortBindings: Record<string, { HostIp: string; HostPort: string }[]> | null;
  };
  NetworkSettings: {
    Ports: Record<string, { HostIp: string; HostPort: string }[] | null>;
    Networks: Record<string, { IPAddress: string }>;
  };
}

/** The part of onetimesecret-api's client this test drives (its typings point at sources that do not compile here). */
interface OtsClient {
  status(): Promise<boolean>;
  share(secret: string, options?: { passphrase?: string; ttl?: number }): Promise<{ secret_key: string; metadata_key: string }>;
  retrieveSecret(secretKey: string, options?: { passphrase?: string }): Promise<{ value: string }>;
  retrieveMetadata(metadataKey: string): Promise<{ state: string }>;
  recentMetadata(): Promise<{ metadata_key: string }[]>;
}
const ots = createRequire(import.meta.url)('onetimesecret-api/index.js') as {
  default: new (username: string, password: string, options?: { url?: string }) => OtsClient;
  UnknownSecretError: new (...args: never[]) => Error;
};

describe.skipIf(!DOCKER_TESTS)('docker compose up, for real', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ots-compose-up-'));
  const name = `otsci${process.pid}`;
  let port: number;
  let origin: string;
  let composeBin: string[];
  const compose = (...args: string[]) =>
    must(composeBin[0]!, [...composeBin.slice(1), '-p', name, ...args], {
      cwd: dir,
      // Only what compose needs: every setting comes from .env, as for a user.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}) },
    });
  const containerOf = async (service: string) => (await compose('ps', '-q', service)).trim();
  const health = async () => (await inspect<Container>(await containerOf('app'))).State.Health?.Status;
  const ready = () => readyBody(origin);
  /** HTTP Basic credentials, as OTS clients send them. */
  const asAccount = (email: string, token: string) => ({ authorization: `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}` });

  beforeAll(async () => {
    composeBin = await composeCommand();
    port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    for (const file of PROJECT_FILES) cpSync(join(ROOT, file), join(dir, file), { recursive: true });
    // The README's first step: cp .env.example .env, then set OTS_SECRET (and here a free port, the base images).
    const extra = Object.entries({ OTS_SECRET: randomBytes(32).toString('hex'), OTS_PORT: String(port), NODE_IMAGE, REDIS_IMAGE,
      NPM_REGISTRY: process.env.NPM_REGISTRY }).flatMap(([k, v]) => (v ? [`${k}=${v}`] : []));
    const env = readFileSync(join(dir, '.env.example'), 'utf8').replace(/^OTS_SECRET=.*\n/m, '');
    writeFileSync(join(dir, '.env'), `${env}\n${extra.join('\n')}\n`);
  });
  afterAll(async () => {
    if (composeBin) await run(composeBin[0]!, [...composeBin.slice(1), '-p', name, 'down', '-v', '--remove-orphans'], { cwd: dir });
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the image and starts app and Redis: `up -d --build`', async () => {
    await step(`${composeBin.join(' ')} up -d --build`, () => compose('up', '-d', '--build'));
    const size = Number((await docker('image', 'inspect', '-f', '{{.Size}}', 'ots-server:local')).trim());
    note(`image ots-server:local: ${(size / 1e6).toFixed(0)} MB`);
    expect(size).toBeGreaterThan(0);
  }, 15 * MINUTES);

  it('becomes healthy by its own HEALTHCHECK, and /ready says redis (noeviction)', async () => {
    await step('app healthy (HEALTHCHECK)', () => expect.poll(health, { timeout: 90_000, interval: 1000 }).toBe('healthy'));
    expect(await ready()).toEqual({ status: 'ready', store: 'redis', evictionPolicy: 'noeviction' });
  }, 2 * MINUTES);

  it('shares, reveals once, shows the receipt and burns, through the port published on 127.0.0.1', async () => {
    await step('share, reveal, receipt, burn', async () => {
      const shared = await share(origin, 'compose me', { passphrase: 'pw' });
      expect((await reveal(origin, shared.secret_key, { passphrase: 'pw' })).body).toMatchObject({ value: 'compose me' });
      expect((await reveal(origin, shared.secret_key, { passphrase: 'pw' })).body).toMatchObject({ message: 'Unknown secret' });
      expect((await call(origin, 'GET', `/api/v1/private/${shared.metadata_key}`)).body).toMatchObject({ state: 'received' });

      const unread = await share(origin, 'burn me');
      expect((await burn(origin, unread.metadata_key)).body).toMatchObject({ state: { state: 'burned' } });
      expect((await reveal(origin, unread.secret_key)).body).toMatchObject({ message: 'Unknown secret' });
    });
  });

  it("lists an account's recent receipts, the account made with `exec app node dist/cli/admin.js account create`", async () => {
    const token = (await step('exec app node dist/cli/admin.js account create', () =>
      compose('exec', '-T', 'app', 'node', 'dist/cli/admin.js', 'account', 'create', 'alice@example.com'))).trim();
    expect(token).toMatch(/^\S{20,}$/);
    const res = await fetch(`${origin}/api/v1/share`, { method: 'POST', headers: asAccount('alice@example.com', token), body: new URLSearchParams({ secret: 'mine' }) });
    const shared = (await res.json()) as { custid: string; metadata_key: string };
    expect(shared.custid).toBe('alice@example.com');
    const recent = await fetch(`${origin}/api/v1/private/recent`, { headers: asAccount('alice@example.com', token) });
    expect(((await recent.json()) as { metadata_key: string }[]).map((r) => r.metadata_key)).toEqual([shared.metadata_key]);
  });

  it("serves the onetimesecret-api client's flow", async () => {
    const token = (await compose('exec', '-T', 'app', 'node', 'dist/cli/admin.js', 'account', 'create', 'bob@example.com')).trim();
    const bob = new ots.default('bob@example.com', token, { url: origin });
    const anon = new ots.default('', '', { url: origin });
    expect(await anon.status()).toBe(true);
    const shared = await bob.share('from a client', { passphrase: 'open sesame', ttl: 600 });
    expect((await anon.retrieveSecret(shared.secret_key, { passphrase: 'open sesame' })).value).toBe('from a client');
    await expect(anon.retrieveSecret(shared.secret_key, { passphrase: 'open sesame' })).rejects.toThrow(ots.UnknownSecretError);
    expect((await bob.retrieveMetadata(shared.metadata_key)).state).toBe('received');
    expect((await bob.recentMetadata()).map((r) => r.metadata_key)).toEqual([shared.metadata_key]);
  });

  it('runs the app as uid 1000 with a read-only root file system, no capabilities and no new privileges', async () => {
    const app = await inspect<Container>(await containerOf('app'));
    expect(app.Config.User).toBe('node');
    expect(app.HostConfig.ReadonlyRootfs).toBe(true);
    expect(app.HostConfig.CapDrop).toEqual(['ALL']);
    expect(app.HostConfig.CapAdd ?? []).toEqual([]);
    expect(app.HostConfig.SecurityOpt).toContain('no-new-privileges:true');
    // From inside: the server (PID 1) and a process exec'd beside it.
    const seen = JSON.parse(await compose('exec', '-T', 'app', 'node', '-e', `
      const fs = require('fs');
      const status = (pid) => Object.fromEntries(fs.readFileSync('/proc/' + pid + '/status', 'utf8').split('\\n')
        .map((l) => l.split(':\\t')).filter((kv) => /^(Uid|Gid|Cap\\w+|NoNewPrivs)$/.test(kv[0])).map(([k, v]) => [k, v.trim()]));
      const write = (path) => { try { fs.writeFileSync(path, 'x'); return 'written'; } catch (e) { return e.code; } };
      console.log(JSON.stringify({ pid1: status(1), self: status('self'), app: write('/app/x'), tmp: write('/tmp/x'), root: write('/x') }));
    `)) as { pid1: Record<string, string>; self: Record<string, string>; app: string; tmp: string; root: string };
    for (const proc of [seen.pid1, seen.self]) {
      expect(proc.Uid!.split(/\s+/)).toEqual(['1000', '1000', '1000', '1000']);
      expect(proc.Gid!.split(/\s+/)).toEqual(['1000', '1000', '1000', '1000']);
      for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(proc[set], set).toMatch(/^0+$/);
      expect(proc.NoNewPrivs).toBe('1');
    }
    expect({ app: seen.app, tmp: seen.tmp, root: seen.root }).toEqual({ app: 'EROFS', tmp: 'EROFS', root: 'EROFS' });
  });

  it("publishes only the app, on 127.0.0.1; Redis has no published port and only the app's network reaches it", async () => {
    const app = await inspect<Container>(await containerOf('app'));
    expect(app.HostConfig.PortBindings).toEqual({ '7143/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
    const redisId = await containerOf('redis');
    const redis = await inspect<Container>(redisId);
    expect(redis.HostConfig.PortBindings ?? {}).toEqual({});
    expect(Object.values(redis.NetworkSettings.Ports).every((bindings) => bindings === null)).toBe(true);
    expect((await run('docker', ['port', redisId])).stdout.trim()).toBe('');
    expect(Object.keys(redis.NetworkSettings.Networks)).toEqual([`${name}_backend`]);
    // A container on the app's other network (the one with a route to the host) cannot reach Redis; the app can.
    const redisIp = redis.NetworkSettings.Networks[`${name}_backend`]!.IPAddress;
    const probe = (network: string) =>
      run('docker', ['run', '--rm', '--network', network, '--entrypoint', 'node', 'ots-server:local', '-e',
        `require('net').connect(6379, '${redisIp}').on('connect', () => process.exit(0)).on('error', () => process.exit(1)); setTimeout(() => process.exit(2), 3000)`]);
    expect((await probe(`${name}_frontend`)).code, 'from the frontend network').not.toBe(0);
    expect((await probe(`${name}_backend`)).code, 'from the backend network').toBe(0);
  }, 2 * MINUTES);

  it('keeps every secret acknowledged before `restart` (AOF, appendfsync always, on the volume)', async () => {
    const before: { secret_key: string; value: string }[] = [];
    for (let i = 0; i < SECRETS_ACROSS_RESTART; i++) {
      const value = `kept ${i} ${randomBytes(4).toString('hex')}`;
      before.push({ ...(await share(origin, value)), value });
    }
    await step(`${composeBin.join(' ')} restart`, () => compose('restart'));
    await step('ready again after restart', () => expect.poll(ready, { timeout: 60_000, interval: 500 }).toEqual({ status: 'ready', store: 'redis', evictionPolicy: 'noeviction' }));
    for (const s of before) expect((await reveal(origin, s.secret_key)).body).toMatchObject({ value: s.value });
    // Redis's root file system is read-only too, so what it kept is on the volume: the append-only files.
    const redis = await inspect<Container & { Mounts: { Type: string; Name?: string; Destination: string }[] }>(await containerOf('redis'));
    expect(redis.HostConfig.ReadonlyRootfs).toBe(true);
    expect(redis.Mounts).toContainEqual(expect.objectContaining({ Type: 'volume', Name: `${name}_redis-data`, Destination: '/data' }));
    expect(await compose('exec', '-T', 'redis', 'ls', '/data/appendonlydir')).toMatch(/\.incr\.aof/);
  }, 3 * MINUTES);

  it('stops gracefully within the grace period: `stop`, exit code 0', async () => {
    const id = await containerOf('app');
    const started = performance.now();
    await step(`${composeBin.join(' ')} stop`, () => compose('stop'));
    const seconds = (performance.now() - started) / 1000;
    const app = await inspect<Container>(id);
    expect(app.State.Status).toBe('exited');
    expect(app.State.ExitCode).toBe(0);
    expect(seconds).toBeLessThan(15); // stop_grace_period: past it the engine would SIGKILL (exit code 137)
  }, 2 * MINUTES);

  it('`down -v` leaves no container, network or volume behind', async () => {
    await step(`${composeBin.join(' ')} down -v`, () => compose('down', '-v'));
    const label = `label=com.docker.compose.project=${name}`;
    expect((await docker('ps', '-aq', '--filter', label)).trim()).toBe('');
    expect((await docker('network', 'ls', '-q', '--filter', label)).trim()).toBe('');
    expect((await docker('volume', 'ls', '-q', '--filter', label)).trim()).toBe('');
  }, 2 * MINUTES);
});
