// The production runtime settings: set by docker/Dockerfile (ENV) and `npm start`, and given to both servers by the
// benchmark so that it measures what production runs. test/deploy/image.test.ts keeps the three in step.
//
// --max-semi-space-size=8: V8's young generation grew to tens of MB under 32 concurrent connections; 8 MB keeps
//   peak RSS down at no measurable throughput cost here.
// MALLOC_MMAP_THRESHOLD_: scrypt's 16 MiB working set is then always mmap'ed and returned on free, instead of being
//   kept by glibc's per-thread arenas once the dynamic threshold has grown (about 40 MB of RSS after passphrase load).
export const RUNTIME_ENV = {
  NODE_OPTIONS: '--max-semi-space-size=8',
  MALLOC_MMAP_THRESHOLD_: '131072',
} as const;
