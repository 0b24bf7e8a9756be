// The image alone, run as docs/deployment.md shows: `docker run` with a read-only root file system, no
// capabilities and no new privileges, published on 127.0.0.1 only, with the in-memory store (no REDIS_URL).
// Runs with OTS_TEST_DOCKER=1 only (see ./docker.ts).
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/redis-server.js';
import { reveal, share } from '../deploy/http.js';
import { buildImage, docker, DOCKER_TESTS, inspect, readyBody, run, step } from './docker.js';

describe.skipIf(!DOCKER_TESTS)('the image alone, `docker run --read-only --cap-drop ALL …`', () => {
  let id: string | undefined;
  afterAll(async () => {
    if (id) await run('docker', ['rm', '-f', id]);
  });

  it('serves with the in-memory store, turns healthy, and stops on SIGTERM with exit code 0', async () => {
    await buildImage();
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    id = (await step('docker run -d --read-only --cap-drop ALL --security-opt no-new-privileges', () =>
      // --health-interval: the image's own HEALTHCHECK command, checked every 2 s instead of 15 s to save time.
      docker('run', '-d', '--health-interval', '2s', '--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
        '-e', `OTS_SECRET=${randomBytes(32).toString('hex')}`, '-p', `127.0.0.1:${port}:7143`, 'ots-server:local'))).trim();
    await step('docker run: /ready', () =>
      expect.poll(() => readyBody(origin), { timeout: 30_000, interval: 200 }).toEqual({ status: 'ready', store: 'memory' }));
    const shared = await share(origin, 'alone');
    expect((await reveal(origin, shared.secret_key)).body).toMatchObject({ value: 'alone' });
    const health = async () => (await inspect<{ State: { Health?: { Status: string } } }>(id!)).State.Health?.Status;
    await step('docker run: healthy (HEALTHCHECK)', () => expect.poll(health, { timeout: 60_000, interval: 1000 }).toBe('healthy'));
    // The memory store warns that secrets die with the process; nothing else goes wrong at start.
    const logs = await run('docker', ['logs', id]);
    expect(`${logs.stdout}${logs.stderr}`).not.toMatch(/"level":(50|60)/);
    await step('docker stop', () => docker('stop', '-t', '15', id!));
    const state = (await inspect<{ State: { Status: string; ExitCode: number } }>(id)).State;
    expect(state).toMatchObject({ Status: 'exited', ExitCode: 0 });
  }, 10 * 60_000);
});
