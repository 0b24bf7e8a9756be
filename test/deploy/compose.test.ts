// docker-compose.yml, validated without a Docker engine: `docker-compose config` (Debian's docker-compose, which CI
// installs) resolves it as `docker compose up` would, from a copy of the project with .env made from .env.example,
// and the resolved file is checked for what the README promises. .env.example is checked against the config schema.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, settings } from '../../src/config.js';
import { ROOT } from '../e2e/built.js';

const DUMMY_SECRET = 'b7e15163a2c9d1f0e4b3a7c6d5e8f9a0b1c2d3e4f5061728394a5b6c7d8e9f00';
const ENV_EXAMPLE = readFileSync(join(ROOT, '.env.example'), 'utf8');
/** Variables only docker-compose.yml reads (the published address, the base images), not the server. */
const COMPOSE_ONLY = ['OTS_BIND', 'OTS_PORT', 'NODE_IMAGE', 'REDIS_IMAGE', 'NPM_REGISTRY'];
const DOCKERFILE_NODE_IMAGE = /^ARG NODE_IMAGE=(\S+)$/m.exec(readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8'))?.[1];

/** The parts of a resolved compose file the tests read. */
interface Service {
  image?: string;
  build?: { dockerfile: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  networks: Record<string, unknown>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
}
interface Resolved {
  services: Record<string, Service>;
  networks: Record<string, { internal?: boolean }>;
  volumes: Record<string, unknown>;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { cwd: opts.cwd, env: opts.env, encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

async function dockerCompose(): Promise<string> {
  const which = await run('sh', ['-c', 'command -v docker-compose'], { env: { PATH: process.env.PATH ?? '' } });
  if (which.code !== 0) {
    throw new Error('docker-compose is not installed: apt-get install docker-compose (.ci/run installs it)');
  }
  return which.stdout.trim();
}

/** docker-compose is Python; its interpreter has PyYAML, which turns the resolved YAML into JSON for the test. */
async function yamlToJson(composeBin: string, yaml: string): Promise<Resolved> {
  const python = /^#!\s*(\S+)/.exec(readFileSync(composeBin, 'utf8'))?.[1] ?? 'python3';
  const out = await run(python, ['-c', 'import json,sys,yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], { input: yaml });
  if (out.code !== 0) throw new Error(`cannot parse docker-compose output: ${out.stderr}`);
  return JSON.parse(out.stdout) as Resolved;
}

describe('docker-compose.yml, as `docker-compose config` resolves it', () => {
  const project = mkdtempSync(join(tmpdir(), 'ots-compose-'));
  cpSync(join(ROOT, 'docker-compose.yml'), join(project, 'docker-compose.yml'));
  cpSync(join(ROOT, 'docker'), join(project, 'docker'), { recursive: true });
  // What an operator does first: cp .env.example .env (OTS_SECRET is left empty there on purpose).
  writeFileSync(join(project, '.env'), ENV_EXAMPLE);
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  const config = async (env: Record<string, string>) => {
    const bin = await dockerCompose();
    const result = await run(bin, ['-f', 'docker-compose.yml', 'config'], {
      cwd: project,
      env: { PATH: process.env.PATH ?? '', HOME: project, ...env },
    });
    return { ...result, resolved: result.code === 0 ? await yamlToJson(bin, result.stdout) : undefined };
  };

  it('refuses to resolve without OTS_SECRET, saying to set it', async () => {
    const result = await config({});
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('set OTS_SECRET in .env');
  });

  describe('with OTS_SECRET set', async () => {
    const result = await config({ OTS_SECRET: DUMMY_SECRET });
    const { app, redis } = result.resolved!.services as { app: Service; redis: Service };

    it('resolves to exactly the app and Redis', () => {
      expect(result.stderr).toBe('');
      expect(Object.keys(result.resolved!.services).sort()).toEqual(['app', 'redis']);
    });

    it('runs an official Redis image pinned to a release, never published, on an internal network only', () => {
      expect(redis.image).toMatch(/^redis:\d+\.\d+\.\d+-[a-z0-9.]+$/);
      expect(redis.ports).toBeUndefined();
      expect(redis.expose).toBeUndefined();
      expect(Object.keys(redis.networks)).toEqual(['backend']);
      expect(result.resolved!.networks.backend?.internal).toBe(true);
      expect(redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    });

    it('persists Redis with AOF (appendfsync always) on the named volume redis-data', () => {
      expect(redis.volumes).toContain('redis-data:/data:rw');
      expect(Object.keys(result.resolved!.volumes)).toEqual(['redis-data']);
      const mounted = redis.volumes!.find((v) => v.endsWith(':/usr/local/etc/redis/redis.conf:ro'))!;
      expect(redis.command).toEqual(['redis-server', '/usr/local/etc/redis/redis.conf']);
      const conf = readFileSync(mounted.split(':')[0]!, 'utf8');
      expect(conf).toMatch(/^appendonly yes$/m);
      expect(conf).toMatch(/^appendfsync always$/m);
    });

    it('publishes the app on 127.0.0.1:7143 by default, builds it from docker/Dockerfile, after Redis is healthy', () => {
      expect(app.ports).toEqual(['127.0.0.1:7143:7143/tcp']);
      expect(app.build?.dockerfile).toBe('docker/Dockerfile');
      expect(app.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
      expect(Object.keys(app.networks).sort()).toEqual(['backend', 'frontend']);
      expect(app.read_only).toBe(true);
    });

    it('gives the app the master key, its Redis and the settings from .env (env_file)', () => {
      expect(app.environment).toMatchObject({
        OTS_SECRET: DUMMY_SECRET,
        REDIS_URL: 'redis://redis:6379',
        HOST: '0.0.0.0',
        OTS_PUBLIC_URL: 'https://secrets.example.com', // from .env
      });
    });
  });

  it('builds on the official Node image the Dockerfile names, unless NODE_IMAGE and REDIS_IMAGE name others', async () => {
    const defaults = (await config({ OTS_SECRET: DUMMY_SECRET })).resolved!.services;
    expect(DOCKERFILE_NODE_IMAGE).toMatch(/^node:\d+\.\d+\.\d+-bookworm-slim$/);
    expect(defaults.app!.build?.args).toEqual({ NODE_IMAGE: DOCKERFILE_NODE_IMAGE, NPM_REGISTRY: '' });
    const local = { NODE_IMAGE: 'ots-local/node:24-bookworm', REDIS_IMAGE: 'ots-local/redis:bookworm', NPM_REGISTRY: 'https://npm.example/' };
    const { services } = (await config({ OTS_SECRET: DUMMY_SECRET, ...local })).resolved!;
    expect(services.app!.build?.args).toEqual({ NODE_IMAGE: local.NODE_IMAGE, NPM_REGISTRY: local.NPM_REGISTRY });
    expect(services.redis!.image).toBe(local.REDIS_IMAGE);
  });

  it('publishes wherever OTS_BIND and OTS_PORT say', async () => {
    const { resolved } = await config({ OTS_SECRET: DUMMY_SECRET, OTS_BIND: '0.0.0.0', OTS_PORT: '8080' });
    expect(resolved!.services.app!.ports).toEqual(['0.0.0.0:8080:7143/tcp']);
  });
});

// Compose v2 does not install on these machines; what it reads is the Compose Specification, whose JSON schema the
// docker-compose npm package ships. The schema refuses unknown keys, so a key only 1.29 knows would fail here.
describe('docker-compose.yml, by the Compose Specification schema (what Compose v2 implements)', () => {
  const schemaPath = createRequire(import.meta.url).resolve('docker-compose/schema/compose-spec.json');
  const { $schema: _draft, ...schema } = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  const file = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as Record<string, unknown>;

  it('is valid, and has no obsolete top-level `version`', () => {
    expect(validate(file), JSON.stringify(validate.errors)).toBe(true);
    expect(file).not.toHaveProperty('version');
  });

  it('is refused when a service has a key the specification does not know (the check has teeth)', () => {
    const services = file.services as Record<string, Record<string, unknown>>;
    expect(validate({ ...file, services: { ...services, app: { ...services.app, stop_grace: '15s' } } })).toBe(false);
  });
});

describe('.env.example', () => {
  const lines = ENV_EXAMPLE.split('\n');
  /** Variable lines, set (`NAME=value`) or shown commented out (`# NAME=value`), with the line above each. */
  const variables = lines.flatMap((line, i) => {
    const match = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    return match ? [{ name: match[2]!, value: match[3]!, set: !match[1], above: lines[i - 1] ?? '' }] : [];
  });

  it('lists every setting of src/config.ts, each under a comment', () => {
    const listed = new Map(variables.map((v) => [v.name, v]));
    for (const s of Object.values(settings)) {
      const v = listed.get(s.env);
      expect(v, `${s.env} is missing from .env.example`).toBeDefined();
      expect(v!.above, `${s.env} needs a comment line above it`).toMatch(/^#/);
    }
  });

  it('lists nothing else but the compose-only variables', () => {
    const known = new Set<string>([...Object.values(settings).map((s) => s.env), ...COMPOSE_ONLY]);
    expect(variables.map((v) => v.name).filter((n) => !known.has(n))).toEqual([]);
  });

  it('shows each default as the schema has it', () => {
    for (const s of Object.values(settings)) {
      const v = variables.find((x) => x.name === s.env)!;
      if (!v.set && s.default !== undefined) expect(`${s.env}=${v.value}`).toBe(`${s.env}=${s.default}`);
    }
  });

  it('is a valid configuration once OTS_SECRET is filled in', () => {
    const env = Object.fromEntries(variables.filter((v) => v.set).map((v) => [v.name, v.value]));
    expect(() => loadConfig({ ...env, OTS_SECRET: DUMMY_SECRET, REDIS_URL: 'redis://redis:6379' })).not.toThrow();
  });
});
