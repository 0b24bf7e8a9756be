// The real app on a real socket: Redis store, 127.0.0.1, a free port chosen by the kernel.
import type { AddressInfo } from 'node:net';
import { makeApp, type TestApp } from '../support/app.js';

export interface ListeningApp extends TestApp {
  /** e.g. http://127.0.0.1:43817 */
  origin: string;
  /** origin + /api/v1 */
  api: string;
}

export async function listen(env: Record<string, string> = {}): Promise<ListeningApp> {
  const t = await makeApp('redis', env);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return { ...t, origin, api: `${origin}/api/v1` };
}
