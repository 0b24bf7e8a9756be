// onetimesecret-api@1.1.3 (the npm v1 client, unchanged since 2019) calls util.isUndefined, which Node.js 23
// removed. Restored here as Node defined it, before the client runs, so the client is still tested as published.
// Import this module first in any test that loads the client (test/support/legacy-util.ts and the package fixture
// keep the same copy: the fixture is copied into a project of its own).
import { createRequire } from 'node:module';

// The module object the client's require('util') gets (an ES import would give a frozen namespace).
const legacy = createRequire(import.meta.url)('node:util') as { isUndefined?: (value: unknown) => boolean };
legacy.isUndefined ??= (value) => value === undefined;
