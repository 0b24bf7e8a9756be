// Where the tests' Redis comes from: REDIS_URL if set, else testcontainers when a Docker engine answers (the image
// REDIS_IMAGE names, as in docker-compose.yml: docker/base-images.sh builds one where none can be pulled), else a
// local redis-server binary on a free loopback port. Never a mock.
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
  const container = await new GenericContainer(process.env.REDIS_IMAGE ?? 'redis:7.4.9-alpine')
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
    } catch (err) {
      // No working engine after all: fall through to the local binary, unless the run is there to test Docker.
      if (process.env.OTS_TEST_DOCKER === '1') throw err;
    }
  }
  const server = await RedisServer.start();
  return { url: server.url, source: 'redis-server', stop: () => server.destroy() };
}
