import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { SlipwayError } from '../core/errors.js';

export interface SlipwayEnvironment {
  home: string;
  httpPort: number;
  httpBind: string;
  /** The router's HTTPS port (apps' certificates, TLS by HAProxy); 0 = no HTTPS. */
  httpsPort: number;
  httpsBind: string;
  apiPort: number;
  domain: string;
}

export interface SlipwayPaths {
  home: string;
  database: string;
  secretKey: string;
  token: string;
  /** Where the running server says where its API is. */
  apiInfo: string;
  haproxyDir: string;
  tmp: string;
  serverLog: string;
}

function port(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new SlipwayError('INVALID_INPUT', `${name} must be a port number from 1 to 65535 (got ${JSON.stringify(raw)})`, { hint: `e.g. ${name}=8080` });
  }
  return value;
}

/** Reads SLIPWAY_* variables, with the documented defaults. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): SlipwayEnvironment {
  const domain = (env['SLIPWAY_DOMAIN'] ?? 'slipway.localhost').toLowerCase();
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(domain)) {
    throw new SlipwayError('INVALID_INPUT', `SLIPWAY_DOMAIN is not a valid domain name (got ${JSON.stringify(domain)})`, { hint: 'e.g. SLIPWAY_DOMAIN=apps.example.com' });
  }
  return {
    home: resolve(env['SLIPWAY_HOME'] ?? join(homedir(), '.slipway')),
    httpPort: port('SLIPWAY_HTTP_PORT', env['SLIPWAY_HTTP_PORT'], 80),
    httpBind: env['SLIPWAY_HTTP_BIND'] ?? '0.0.0.0',
    httpsPort: env['SLIPWAY_HTTPS_PORT'] === '0' ? 0 : port('SLIPWAY_HTTPS_PORT', env['SLIPWAY_HTTPS_PORT'], 443),
    httpsBind: env['SLIPWAY_HTTPS_BIND'] ?? env['SLIPWAY_HTTP_BIND'] ?? '0.0.0.0',
    apiPort: port('SLIPWAY_API_PORT', env['SLIPWAY_API_PORT'], 7331),
    domain,
  };
}

export function slipwayPaths(home: string): SlipwayPaths {
  return {
    home,
    database: join(home, 'slipway.db'),
    secretKey: join(home, 'secret.key'),
    token: join(home, 'token'),
    apiInfo: join(home, 'api.json'),
    haproxyDir: join(home, 'haproxy'),
    tmp: join(home, 'tmp'),
    serverLog: join(home, 'server.log'),
  };
}
