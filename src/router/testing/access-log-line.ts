import type { AccessLogLine } from '../access-log.js';

let sequence = 0;

/**
 * Test-only: a request line of `app` for `path` as the reader hands it on (HAProxy's fields: worker 4711,
 * a 200 of server web-1 to 127.0.0.1). Request counters and accept times increase from call to call.
 */
export function accessLogLine(app: string, path: string): AccessLogLine {
  const n = sequence++;
  const accept = Date.UTC(2030, 0, 1) + n;
  return { app, fields: `4711 ${n} ${accept} app_${app} web-1 200 10 0 0 0 1 1 127.0.0.1 GET ${app}.test ${path}` };
}
