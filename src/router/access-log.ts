import { BACKEND_PREFIX } from './haproxy-names.js';

/**
 * Router access logs: HAProxy writes one line per request, in a fixed format of Slipway's own, into
 * a `ring` (a fixed-size buffer in each worker's memory); Slipway reads it through the runtime
 * socket with `show events slipway_access -w` (access-log-reader.ts). Why a ring and not UDP syslog
 * to 127.0.0.1: measured on HAProxy 2.6 on this 2-core machine, logging to a ring costs HAProxy about
 * 3-4 µs of CPU per request, a `sendto()` per request to a UDP socket about 11-13 µs (the data plane
 * pays that), and Slipway's reading a stream costs far less than one datagram per request. A ring is
 * bounded by construction (writers never wait; a reader that falls behind loses the oldest lines)
 * and only root can read it (the runtime socket is mode 600): no port anyone on the host can send
 * forged lines to. The price is reloads: each worker has its own ring (see the reader).
 *
 * What is logged: method, path, status, bytes, timings, client address, host and the server. Never a
 * header or a body, and never the query string (`%HPO` is the path alone): query strings carry tokens.
 */

export const ACCESS_LOG_RING = 'slipway_access';
/** Each worker's ring: about 5,000-10,000 lines; older lines are overwritten. */
export const ACCESS_LOG_RING_BYTES = 1024 * 1024;
/** Longest line HAProxy writes; a longer one is cut (the path is last, so only it is cut). */
export const ACCESS_LOG_MAX_LEN = 4096;
/** Longest path kept. */
export const MAX_LOGGED_PATH = 1024;

/** One request as the router saw it. Times are HAProxy's (ms; -1 = the phase never happened). */
export interface RouterLogEntry {
  app: string;
  /** When the response ended (ISO), i.e. accept date + Ta. */
  time: string;
  method: string;
  /** Without the query string. */
  path: string;
  host: string;
  status: number;
  bytes: number;
  /** HAProxy server name (`web-3f2a9c1b0d4e`), empty when no server answered (maintenance, no server up). */
  server: string;
  client: string;
  /** Tq: request received; Tw: queued; Tc: connect; Tr: response headers; Ta: whole request. */
  timings: { tq: number; tw: number; tc: number; tr: number; ta: number };
}

const TAG = 'slw1';
const APP_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** The `ring` section (after `global`). */
export function accessLogRing(): string[] {
  return [`ring ${ACCESS_LOG_RING}`, 'format raw', `maxlen ${ACCESS_LOG_MAX_LEN}`, `size ${ACCESS_LOG_RING_BYTES}`];
}

/** Lines for the `defaults` section: every frontend logs its requests into the ring. */
export function accessLogConfig(hostVar: string): string[] {
  const fields = [
    TAG,
    // Worker pid and its request counter: which lines a reader has seen when it reads a ring again.
    '%pid',
    '%rt',
    '%Ts%ms',
    '%b',
    '%s',
    '%ST',
    '%B',
    '%Tq',
    '%Tw',
    '%Tc',
    '%Tr',
    '%Ta',
    '%ci',
    '%HM',
    `%[var(${hostVar})]`,
    '%{+E}HPO',
  ];
  return [
    `log ring@${ACCESS_LOG_RING} len ${ACCESS_LOG_MAX_LEN} local0 info`,
    `log-format "${fields.join(' ')}"`,
    // A connection that sends no request (a port scan, a TCP probe) is not a request.
    'option dontlognull',
  ];
}

/** A ring line that is a request of an app: the app, its key, and the fields as HAProxy wrote them. */
export interface AccessLogLine {
  app: string;
  /** `pid rt accept backend server status bytes Tq Tw Tc Tr Ta client method host path` (what is stored). */
  fields: string;
}

/**
 * The cheap check every line gets (the full parse waits until a line is read): Slipway's tag and an
 * app backend. Undefined for anything else: HAProxy's own notices, the 404 backend.
 */
export function acceptAccessLogLine(text: string): AccessLogLine | undefined {
  if (!text.startsWith(`${TAG} `)) return undefined;
  const fields = text.endsWith('\r') ? text.slice(TAG.length + 1, -1) : text.slice(TAG.length + 1);
  let at = 0;
  for (let i = 0; i < 3 && at >= 0; i++) at = fields.indexOf(' ', at) + 1 || -1;
  const backend = at > 0 ? fields.slice(at, fields.indexOf(' ', at)) : '';
  const app = backend.startsWith(BACKEND_PREFIX) ? backend.slice(BACKEND_PREFIX.length) : '';
  return APP_NAME.test(app) ? { app, fields } : undefined;
}

/** `pid:rt`: one request of one worker (the dedupe key of a line read twice). */
export function accessLogKey(fields: string): string {
  const second = fields.indexOf(' ', fields.indexOf(' ') + 1);
  return fields.slice(0, second).replace(' ', ':');
}

/** The request in stored fields; undefined when they are not HAProxy's format. */
export function parseAccessLogFields(app: string, fields: string): RouterLogEntry | undefined {
  const parts = fields.split(' ');
  if (parts.length < 16) return undefined;
  const [, , accept, , server, status, bytes, tq, tw, tc, tr, ta, client, method, host] = parts as string[];
  const numeric = [accept, status, bytes, tq, tw, tc, tr, ta] as string[];
  const numbers = numeric.map(Number);
  if (numeric.includes('') || !numbers.every(Number.isSafeInteger)) return undefined;
  const [acceptMs, statusCode, byteCount, q, w, c, r, total] = numbers as [number, ...number[]];
  return {
    app,
    time: new Date(acceptMs + Math.max(0, total!)).toISOString(),
    method: method!,
    path: unescapePath(parts.slice(15).join(' ')).slice(0, MAX_LOGGED_PATH),
    host: host === '-' ? '' : host!,
    status: statusCode!,
    bytes: byteCount!,
    server: server === '<NOSRV>' ? '' : server!,
    client: client!,
    timings: { tq: q!, tw: w!, tc: c!, tr: r!, ta: total! },
  };
}

/** Both steps on one ring line. */
export function parseAccessLogLine(text: string): RouterLogEntry | undefined {
  const line = acceptAccessLogLine(text);
  return line && parseAccessLogFields(line.app, line.fields);
}

/** HAProxy's `+E` escaping backslash-escapes `"`, `\` and `]`. */
function unescapePath(text: string): string {
  return text.replace(/\\(["\\\]])/g, '$1');
}

/** The line `logs --source router` shows (Heroku's router line, with HAProxy's timings). */
export function describeRouterEntry(e: RouterLogEntry): string {
  const t = e.timings;
  return (
    `method=${e.method} path=${JSON.stringify(e.path)} host=${e.host || '-'} status=${e.status} bytes=${e.bytes} ` +
    `client=${e.client} server=${e.server || '-'} Tq=${t.tq} Tw=${t.tw} Tc=${t.tc} Tr=${t.tr} Ta=${t.ta}ms`
  );
}
