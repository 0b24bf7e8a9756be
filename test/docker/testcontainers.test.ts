// testcontainers on a real Docker engine: the test harness's Docker branch (test/support/redis.ts) gives a Redis
// container of REDIS_IMAGE, and the "In a container (testcontainers)" recipe of docs/use-in-your-tests.md runs as
// written, against the ots-server image built from docker/Dockerfile. Runs with OTS_TEST_DOCKER=1 only (see ./docker.ts).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/built.js';
import { startTestRedis } from '../support/redis.js';
import { call, reveal, share } from '../deploy/http.js';
import { buildImage, docker, DOCKER_TESTS, REDIS_IMAGE, step } from './docker.js';

const MINUTES = 60_000;

/** The testcontainers block of docs/use-in-your-tests.md, with its `// … tests …` line calling back into this test. */
function readmeRecipe(): string {
  const doc = readFileSync(join(ROOT, 'docs', 'use-in-your-tests.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## In a container (testcontainers)'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(block, 'docs/use-in-your-tests.md has a ts block under "In a container (testcontainers)"').toBeDefined();
  expect(block).toContain('// … tests …');
  return block!.replace('// … tests …', 'await globalThis.otsRecipeTests(url);');
}

describe.skipIf(!DOCKER_TESTS)('testcontainers, for real', () => {
  it("the harness's Docker branch runs Redis from REDIS_IMAGE", async () => {
    const saved = process.env.REDIS_URL;
    delete process.env.REDIS_URL;
    const redis = await step('testcontainers Redis (harness)', () => startTestRedis()).finally(() => {
      if (saved !== undefined) process.env.REDIS_URL = saved;
    });
    try {
      expect(redis.source).toBe('testcontainers');
      const port = new URL(redis.url).port;
      const ids = (await docker('ps', '-q', '--filter', `ancestor=${REDIS_IMAGE ?? 'redis:7.4.9-alpine'}`)).trim().split('\n');
      const published = await Promise.all(ids.map(async (id) => (await docker('port', id, '6379/tcp')).includes(`:${port}`)));
      expect(published, `a container of ${REDIS_IMAGE} publishes ${port}`).toContain(true);
      const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      client.disconnect();
    } finally {
      await redis.stop();
    }
  }, 2 * MINUTES);

  describe('the documented recipe for the ots-server image', () => {
    // In node_modules, so that the recipe's `import … from 'testcontainers'` resolves as in a user's project.
    const dir = join(ROOT, 'node_modules', '.cache', 'ots-readme-recipe');
    const file = join(dir, `recipe-${process.pid}.mjs`);
    afterAll(() => rmSync(file, { force: true }));

    it('builds the image as the docs say, then runs the recipe as written', async () => {
      await buildImage();
      mkdirSync(dir, { recursive: true });
      const recipe = readmeRecipe();
      writeFileSync(file, recipe);
      let seen: string | undefined;
      (globalThis as { otsRecipeTests?: (url: string) => Promise<void> }).otsRecipeTests = async (url) => {
        seen = url;
        expect((await call(url, 'GET', '/api/v1/status')).body).toMatchObject({ status: 'nominal' });
        const shared = await share(url, 'from a container');
        expect((await reveal(url, shared.secret_key)).body).toMatchObject({ value: 'from a container' });
        expect((await reveal(url, shared.secret_key)).body).toMatchObject({ message: 'Unknown secret' });
        // The account the recipe's OTS_ACCOUNTS makes, as its owner.
        const [email, token] = /OTS_ACCOUNTS: '([^:']+):([^']+)'/.exec(recipe)!.slice(1) as [string, string];
        const res = await fetch(`${url}/api/v1/share`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}` },
          body: new URLSearchParams({ secret: 'from an account' }),
        });
        expect(await res.json()).toMatchObject({ custid: email });
      };
      await step('documented testcontainers recipe (start, tests, stop)', () => import(file));
      expect(seen).toMatch(/^http:\/\/[\w.:-]+:\d+$/);
    }, 15 * MINUTES);
  });
});
