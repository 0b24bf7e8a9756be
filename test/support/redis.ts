// Where the tests' Redis comes from: REDIS_URL if set, else testcontainers when a Docker engine answers,
// else a local redis-server binary on a free loopback port. Never a mock.
import { existsSync } from 'node:fs';
import { RedisServer, waitForRedis } from './redis-server.js';

export interface TestRedis {
  url: string;
  source: 'REDIS_URL' | 'testcontainers' | 'redis-server';
  stop(): Promise<void>;
}

function dockerMayAnswer(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

async function fromTestcontainers(): Promise<TestRedis> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('redis:7.4-alpine')
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
    .start();
  const url = `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
  return { url, source: 'testcontainers', stop: async () => void (await container.stop()) };
}

export async function startTestRedis(): Promise<TestRedis> {
  if (process.env.REDIS_URL) {
    await waitForRedis(process.env.REDIS_URL);
    return { url: process.env.REDIS_URL, source: 'REDIS_URL', stop: async () => {} };
  }
  if (dockerMayAnswer()) {
    try {
      return await fromTestcontainers();
    } catch {
      // No working engine after all: fall through to the local binary.
    }
  }
  const server = await RedisServer.start();
  return { url: server.url, source: 'redis-server', stop: () => server.destroy() };
}
