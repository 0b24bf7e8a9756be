// Runs the production server (dist/server.js) unchanged, plus probes the benchmark reads over IPC:
// event-loop delay (perf_hooks.monitorEventLoopDelay) and peak RSS. Plain JavaScript on purpose: a TypeScript
// loader would add its own thread and memory to the process being measured. Nothing here touches requests.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
let rssPeak = 0;
const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 100);
sampler.unref();

process.on('message', (msg) => {
  if (msg === 'reset') {
    delay.reset();
    return;
  }
  if (msg === 'stats') {
    process.send?.({
      eventLoopP99Ms: delay.percentile(99) / 1e6,
      eventLoopMaxMs: delay.max / 1e6,
      rssPeakMb: rssPeak / 1024 / 1024,
      rssMb: process.memoryUsage.rss() / 1024 / 1024,
    });
  }
});

await import('../dist/server.js');
