import { SlipwayError } from '../core/errors.js';
import { validateAppName } from '../core/names.js';
import type { HealthCheckSettings, RouteServer } from './port.js';
import { healthcheckPathSchema } from '../config/value-schemas.js';

/** Identifiers and server parameters shared by the config renderer and the runtime commands. */

export const NOT_FOUND_BACKEND = 'slipway_no_app';
export const HTTP_FRONTEND = 'slipway_http';
export const HTTPS_FRONTEND = 'slipway_https';

/** Consecutive good checks before a server is UP, bad checks before it is DOWN. */
export const CHECK_RISE = 2;
export const CHECK_FALL = 3;

const SERVER_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const HOSTNAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Every app's backend is `app_<name>`. */
export const BACKEND_PREFIX = 'app_';

export function backendName(app: string): string {
  return `${BACKEND_PREFIX}${validateAppName(app)}`;
}

/** `app_web/name` as the runtime API wants it. */
export function serverRef(app: string, server: string): string {
  return `${backendName(app)}/${validateServerName(server)}`;
}

export function validateServerName(name: string): string {
  if (!SERVER_NAME.test(name)) {
    throw new SlipwayError('INVALID_INPUT', `invalid HAProxy server name ${JSON.stringify(name)}`, {
      hint: 'use letters, digits, "_", "." and "-" only (e.g. "web-3f2a9c1b0d4e")',
    });
  }
  return name;
}

export function validateHostname(host: string): string {
  if (!HOSTNAME.test(host)) {
    throw new SlipwayError('INVALID_INPUT', `invalid hostname ${JSON.stringify(host)}`, {
      hint: 'hostnames are lowercase letters, digits, dots and hyphens, without port (e.g. "shop.example.com")',
    });
  }
  return host;
}

function validateAddress(server: RouteServer): string {
  if (!IPV4.test(server.address) || !Number.isInteger(server.port) || server.port < 1 || server.port > 65535) {
    throw new SlipwayError('INVALID_INPUT', `invalid server address ${server.address}:${server.port}`, {
      hint: 'servers are IPv4 addresses with a port between 1 and 65535 (e.g. 127.0.0.1:32768)',
    });
  }
  return `${server.address}:${server.port}`;
}

/** The same schema `apps:settings:set` and slipway.yml use, so a saved path is always one HAProxy accepts. */
export function validateCheckPath(path: string): string {
  if (!healthcheckPathSchema.safeParse(path).success) {
    throw new SlipwayError('INVALID_INPUT', `invalid health check path ${JSON.stringify(path)}`, {
      hint: 'the path starts with "/" and contains no spaces (e.g. "/health")',
    });
  }
  return path;
}

/** HAProxy checks each server at least this often, whatever the app's probe interval. */
export const MAX_CHECK_INTER_MS = 500;

/**
 * Check timing for one server; fast re-checks while a server changes state so a new one is UP
 * quickly. The interval is capped so that a dead container leaves rotation within ~1-2 s even when
 * no die event says so: a connect to a vanished container address gets no answer at all, so each
 * failing check lasts its connect timeout (HAProxy uses min(timeout connect, inter) for checks),
 * and `fall` of them in a row take it out: ≤ inter + fall × (fastinter + inter).
 */
export function serverCheckParams(check: HealthCheckSettings): string {
  const inter = Math.min(MAX_CHECK_INTER_MS, Math.max(100, Math.round(check.intervalMs)));
  const fast = Math.min(inter, FAST_CHECK_INTER_MS);
  const down = Math.min(inter, DOWN_CHECK_INTER_MS);
  return `check inter ${inter} fastinter ${fast} downinter ${down} rise ${CHECK_RISE} fall ${CHECK_FALL}`;
}

/**
 * Re-checks of a server changing state (fastinter), and checks of a DOWN one (downinter): a new
 * server is DOWN until `rise` checks pass, so downinter is most of a deploy's wait for HAProxy's UP
 * (both were 250 ms: ~0.5 s of every deploy). A DOWN or changing server costs a check every 25 ms, an UP
 * one every `inter`.
 */
export const FAST_CHECK_INTER_MS = 25;
export const DOWN_CHECK_INTER_MS = 25;

/** `<name> <addr>:<port> check …` — the part shared by a config `server` line and `add server`. */
export function serverSpec(server: RouteServer, check: HealthCheckSettings): string {
  const weight = server.weight === undefined ? '' : ` weight ${Math.max(0, Math.min(256, Math.round(server.weight)))}`;
  return (
    `${validateServerName(server.name)} ${validateAddress(server)} ` +
    `${serverCheckParams(check)}${weight} ${SERVER_POOL}`
  );
}

/**
 * Keep idle backend connections for reuse. Servers added at runtime get no idle pool by default,
 * so every request would open a new connection through Docker's port proxy (measured: 0.03× the
 * direct throughput). Idle connections do not block `del server`, and a draining server gets no
 * new requests on them.
 */
export const SERVER_POOL = 'pool-max-conn 64 pool-purge-delay 5s';
