import type { HealthCheckSettings, RouteServer, ServerAdminState, ServerStatus } from './port.js';
import { backendName, serverRef, serverSpec } from './haproxy-names.js';

/** HAProxy runtime API commands, built as plain strings (one command per connection). */

/**
 * Adds a dynamic server that receives traffic only after its own health check passed.
 * HAProxy adds dynamic servers in maint; leaving maint with `ready` would assume the server UP
 * before any check ran, so it leaves maint through `drain` (no new traffic), is forced DOWN,
 * and only then made `ready`: it turns UP after `rise` successful checks.
 */
export function addServerCommands(app: string, server: RouteServer, check: HealthCheckSettings): string[] {
  const ref = serverRef(app, server.name);
  return [
    `add server ${backendName(app)}/${serverSpec(server, check)}`,
    `enable health ${ref}`,
    `set server ${ref} state drain`,
    `set server ${ref} health down`,
    `set server ${ref} state ready`,
  ];
}

export function setServerStateCommand(app: string, name: string, state: ServerAdminState): string {
  return `set server ${serverRef(app, name)} state ${state}`;
}

export function deleteServerCommand(app: string, name: string): string {
  return `del server ${serverRef(app, name)}`;
}

export function shutdownSessionsCommand(app: string, name: string): string {
  return `shutdown sessions server ${serverRef(app, name)}`;
}

/** Servers of one backend (type 4 = servers, -1 = all of them). */
export function showStatCommand(app: string): string {
  return `show stat ${backendName(app)} 4 -1`;
}

export const SHOW_INFO_COMMAND = 'show info';

export type RuntimeFailure =
  | 'NO_SUCH_SERVER'
  | 'NO_SUCH_BACKEND'
  | 'ALREADY_EXISTS'
  | 'HAS_CONNECTIONS'
  | 'NOT_IN_MAINT'
  | 'UNKNOWN_COMMAND'
  | 'PERMISSION_DENIED'
  | 'OTHER';

export type RuntimeResult = { ok: true; message: string } | { ok: false; failure: RuntimeFailure; message: string };

const SUCCESS_MESSAGES = new Set(['', 'New server registered.', 'Server deleted.']);

const FAILURES: Array<[RegExp, RuntimeFailure]> = [
  [/^No such server\./, 'NO_SUCH_SERVER'],
  [/^No such (backend|proxy)\./, 'NO_SUCH_BACKEND'],
  [/^Already exists a server/, 'ALREADY_EXISTS'],
  [/still has connections|not removable|connection queue/i, 'HAS_CONNECTIONS'],
  [/maintenance mode/i, 'NOT_IN_MAINT'],
  [/^Unknown command/, 'UNKNOWN_COMMAND'],
  [/^Permission denied/, 'PERMISSION_DENIED'],
];

/** Classifies the answer to an action command (add/del/set/enable/shutdown). */
export function parseCommandResponse(response: string): RuntimeResult {
  const message = response.trim();
  if (SUCCESS_MESSAGES.has(message)) return { ok: true, message };
  for (const [pattern, failure] of FAILURES) {
    if (pattern.test(message)) return { ok: false, failure, message };
  }
  return { ok: false, failure: 'OTHER', message };
}

export interface StatRow extends ServerStatus {
  backend: string;
  /** `addr` column: `127.0.0.1:32768`. */
  address: string;
}

/** Servers of every backend. */
export const SHOW_ALL_SERVERS_STAT_COMMAND = 'show stat -1 4 -1';

/** Parses `show stat` CSV into server rows (FRONTEND/BACKEND aggregate rows are skipped). */
export function parseShowStat(csv: string): StatRow[] {
  const lines = csv.split('\n').filter((line) => line.trim() !== '');
  const header = lines.find((line) => line.startsWith('# '));
  if (header === undefined) return [];
  const columns = header.slice(2).split(',');
  const index = (name: string) => columns.indexOf(name);
  const [px, sv, scur, status, check, addr] = ['pxname', 'svname', 'scur', 'status', 'check_status', 'addr'].map(index);
  const rows: StatRow[] = [];
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    const cells = line.split(',');
    const cell = (i: number | undefined) => (i === undefined || i < 0 ? '' : (cells[i] ?? ''));
    const name = cell(sv);
    if (name === 'FRONTEND' || name === 'BACKEND') continue;
    rows.push({
      backend: cell(px),
      name,
      status: cell(status),
      sessions: Number(cell(scur)) || 0,
      // A leading "* " means a check is in progress; the last result follows.
      checkStatus: cell(check).replace(/^\* /, ''),
      address: cell(addr),
    });
  }
  return rows;
}

/** Parses `show info` ("Key: value" lines). */
export function parseShowInfo(text: string): Record<string, string> {
  const info: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) info[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return info;
}
