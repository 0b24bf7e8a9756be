import type { TestProject } from 'vitest/node';
import { startTestRedis } from './redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/** One Redis for the whole run; each test app uses its own key prefix, so files can run in parallel. */
export default async function setup(project: TestProject) {
  const redis = await startTestRedis();
  process.stdout.write(`tests use Redis from ${redis.source} at ${redis.url}\n`);
  project.provide('redisUrl', redis.url);
  return async () => redis.stop();
}
