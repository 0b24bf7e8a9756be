// The test double in a container: the "As a test double" testcontainers block of docs/use-in-your-tests.md runs as
// written on the image built from docker/Dockerfile (its default command is the production server; this block
// starts the ots-server command with --control instead). Runs with OTS_TEST_DOCKER=1 only (see ./docker.ts).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/built.js';
import { freePort } from '../support/redis-server.js';
import { control, http, receiptState } from '../control/double.js';
import { buildImage, docker, DOCKER_TESTS, readyBody, run, step } from './docker.js';

const MINUTES = 60_000;
const TESTS_LINE = /^\/\/ … tests: .*$/m;

function recipe(): string {
  const doc = readFileSync(join(ROOT, 'docs', 'use-in-your-tests.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## As a test double'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(block, 'a ts block under "As a test double"').toMatch(TESTS_LINE);
  return block!.replace(TESTS_LINE, 'await globalThis.otsDoubleTests(url);');
}

describe.skipIf(!DOCKER_TESTS)('the test double in a container', () => {
  // In node_modules, so that the block's `import … from 'testcontainers'` resolves as in a user's project.
  const dir = join(ROOT, 'node_modules', '.cache', 'ots-readme-recipe');
  const file = join(dir, `double-${process.pid}.mjs`);
  afterAll(() => rmSync(file, { force: true }));

  it('runs the documented block: fixtures, the clock and a fault on the memory store', async () => {
    await buildImage();
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, recipe());
    let seen: string | undefined;
    (globalThis as { otsDoubleTests?: (url: string) => Promise<void> }).otsDoubleTests = async (url) => {
      seen = url;
      const burned = await control(url, 'fixtures', { state: 'burned' });
      expect(await receiptState(url, 'v2', burned.metadata_key)).toBe('burned');
      const shared = await http(url, 'POST', '/api/v1/share', { form: { secret: 'in a container', ttl: '60' } });
      await control(url, 'clock', { advance: 61 });
      expect(await receiptState(url, 'v1', shared.body.metadata_key)).toBe('expired');
      await control(url, 'faults', { store: 'down' });
      expect((await http(url, 'GET', '/ready')).body).toEqual({ status: 'unavailable', store: 'memory' });
    };
    await step('documented test-double container block (start, tests, stop)', () => import(file));
    expect(seen).toMatch(/^http:\/\/[\w.:-]+:\d+$/);
  }, 15 * MINUTES);

  it("the image's default command, with every plausible setting: no /__ots/, the normal 404", async () => {
    await buildImage();
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const settings = ['OTS_CONTROL', 'CONTROL', 'OTS_CONTROL_API', 'CONTROL_API', 'OTS_TEST_DOUBLE', 'TEST_DOUBLE'].flatMap((n) => ['-e', `${n}=true`]);
    const id = (await docker('run', '-d', ...settings, '-p', `127.0.0.1:${port}:7143`, 'ots-server:local')).trim();
    try {
      await expect.poll(() => readyBody(origin), { timeout: 30_000, interval: 200 }).toEqual({ status: 'ready', store: 'memory' });
      for (const path of ['/__ots/reset', '/__ots/fixtures', '/__ots/clock']) {
        expect((await http(origin, 'POST', path, { json: { state: 'new' } })).status, path).toBe(404);
      }
    } finally {
      await run('docker', ['rm', '-f', id]);
    }
  }, 15 * MINUTES);
});
