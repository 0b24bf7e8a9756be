// An HTTP status as the metrics label it: its class, never the exact code. Apart from metrics.ts so that what
// labels a status (the webhook deliverer too) need not load prom-client, which only METRICS_PORT loads.

/** Status classes, never exact codes: `2xx`, `4xx`, … */
export type StatusClass = `${1 | 2 | 3 | 4 | 5}xx`;

export function statusClassOf(status: number): StatusClass {
  const hundreds = Math.min(Math.max(Math.floor(status / 100), 1), 5) as 1 | 2 | 3 | 4 | 5;
  return `${hundreds}xx`;
}
