// `npm run docs`: writes docs/openapi.json (the API's OpenAPI document) and the README's configuration table
// from the code. Tests in test/operator fail when either is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { OPENAPI_PATH } from '../api/v1/openapi.js';
import { MemoryStore } from '../store/memory-store.js';
import { withConfigTable } from './config-table.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const OPENAPI_FILE = 'docs/openapi.json';

/** The document exactly as a server serves it (it does not depend on configuration). */
export async function servedOpenApi(): Promise<unknown> {
  const app = await buildApp(loadConfig({ LOG_LEVEL: 'silent' }), { store: new MemoryStore() });
  try {
    const res = await app.inject({ method: 'GET', url: OPENAPI_PATH });
    return res.json();
  } finally {
    await app.close();
  }
}

export const formatJson = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function update(relativePath: string, next: string): void {
  const path = `${ROOT}${relativePath}`;
  const before = readFileSync(path, { encoding: 'utf8', flag: 'a+' }); // a+: a missing file reads as empty
  if (before === next) return void process.stdout.write(`${relativePath}: up to date\n`);
  writeFileSync(path, next);
  process.stdout.write(`${relativePath}: written\n`);
}

async function main(): Promise<void> {
  update(OPENAPI_FILE, formatJson(await servedOpenApi()));
  update('README.md', withConfigTable(readFileSync(`${ROOT}README.md`, 'utf8')));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    process.stderr.write(`docs: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
