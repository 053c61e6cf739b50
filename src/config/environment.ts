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
  /** git push over SSH (SLIPWAY_SSH_PORT, default 2222; 0 = off), bound like the API (SLIPWAY_SSH_BIND). */
  sshPort?: number;
  sshBind?: string;
  domain: string;
  /**
   * The remote API's host name on the router's HTTPS port (SLIPWAY_API_HOST, default `slipway.<domain>`;
   * `off` = the API answers on 127.0.0.1 only). Undefined when there is no HTTPS port.
   */
  apiHost?: string | undefined;
  /** Limits on uploaded sources (deploy DIR / build DIR); readEnvironment always sets them. */
  upload?: UploadLimits;
  /** The router's access log (`logs --source router`); false with SLIPWAY_ROUTER_LOGS=off. Default on. */
  routerLogs?: boolean;
  /** Port of the registry Slipway runs once the installation is a Swarm (SLIPWAY_REGISTRY_PORT, default 5000). */
  registryPort?: number;
  /** The address the Swarm nodes reach this server's registry at (default: the manager's advertise address). */
  registryAddress?: string;
  /** On a Swarm: spread the processes again once the nodes are steady (SLIPWAY_AUTO_REBALANCE, default off). */
  autoRebalance?: boolean;
  /** HAProxy on the Swarm nodes labelled slipway.ingress=true (SLIPWAY_INGRESS_*). */
  ingress?: IngressSettings;
}

export interface IngressSettings {
  /** SLIPWAY_INGRESS_HTTP_PORT (default 80) and SLIPWAY_INGRESS_HTTPS_PORT (default 443; 0 = no HTTPS). */
  httpPort: number;
  httpsPort: number;
  /** Where the manager drives each ingress node's HAProxy (mutual TLS): SLIPWAY_INGRESS_AGENT_PORT, default 7443. */
  agentPort: number;
  /** What the ingress image starts from (SLIPWAY_INGRESS_BASE_IMAGE); HAProxy and Node are installed when missing. */
  baseImage: string;
}

/** How much an upload may be: received (compressed) bytes, bytes once decompressed, entries. */
export interface UploadLimits {
  maxReceivedBytes: number;
  maxExpandedBytes: number;
  maxEntries: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxReceivedBytes: 1024 ** 3,
  maxExpandedBytes: 4 * 1024 ** 3,
  maxEntries: 200_000,
};

function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `${name} must be a whole number of at least 1 (got ${JSON.stringify(raw)})`,
      { hint: `e.g. ${name}=${fallback}, or unset it for the default` },
    );
  }
  return value;
}

/** SLIPWAY_UPLOAD_MAX_BYTES, SLIPWAY_UPLOAD_MAX_EXPANDED_BYTES and SLIPWAY_UPLOAD_MAX_ENTRIES, with their defaults. */
export function readUploadLimits(env: NodeJS.ProcessEnv = process.env): UploadLimits {
  return {
    maxReceivedBytes: positiveInteger(
      'SLIPWAY_UPLOAD_MAX_BYTES',
      env['SLIPWAY_UPLOAD_MAX_BYTES'],
      DEFAULT_UPLOAD_LIMITS.maxReceivedBytes,
    ),
    maxExpandedBytes: positiveInteger(
      'SLIPWAY_UPLOAD_MAX_EXPANDED_BYTES',
      env['SLIPWAY_UPLOAD_MAX_EXPANDED_BYTES'],
      DEFAULT_UPLOAD_LIMITS.maxExpandedBytes,
    ),
    maxEntries: positiveInteger(
      'SLIPWAY_UPLOAD_MAX_ENTRIES',
      env['SLIPWAY_UPLOAD_MAX_ENTRIES'],
      DEFAULT_UPLOAD_LIMITS.maxEntries,
    ),
  };
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
  /** The API's listener for requests HAProxy forwards from the remote API host (mode 600). */
  proxySocket: string;
  /** The platform certificate given with `certs:add --platform` (sealed; the key never in clear here). */
  platformCert: string;
  /** The SSH server's host key (made on first start, mode 600). */
  sshHostKey: string;
}

function port(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `${name} must be a port number from 1 to 65535 (got ${JSON.stringify(raw)})`,
      { hint: name === 'SLIPWAY_SSH_PORT' ? `e.g. ${name}=2222 (0 turns it off)` : `e.g. ${name}=8080` },
    );
  }
  return value;
}

/** Reads SLIPWAY_* variables, with the documented defaults. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): SlipwayEnvironment {
  const domain = (env['SLIPWAY_DOMAIN'] ?? 'slipway.localhost').toLowerCase();
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(domain)) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `SLIPWAY_DOMAIN is not a valid domain name (got ${JSON.stringify(domain)})`,
      { hint: 'e.g. SLIPWAY_DOMAIN=apps.example.com' },
    );
  }
  return {
    home: resolve(env['SLIPWAY_HOME'] ?? join(homedir(), '.slipway')),
    httpPort: port('SLIPWAY_HTTP_PORT', env['SLIPWAY_HTTP_PORT'], 80),
    httpBind: env['SLIPWAY_HTTP_BIND'] ?? '0.0.0.0',
    httpsPort: env['SLIPWAY_HTTPS_PORT'] === '0' ? 0 : port('SLIPWAY_HTTPS_PORT', env['SLIPWAY_HTTPS_PORT'], 443),
    httpsBind: env['SLIPWAY_HTTPS_BIND'] ?? env['SLIPWAY_HTTP_BIND'] ?? '0.0.0.0',
    apiPort: port('SLIPWAY_API_PORT', env['SLIPWAY_API_PORT'], 7331),
    sshPort: env['SLIPWAY_SSH_PORT'] === '0' ? 0 : port('SLIPWAY_SSH_PORT', env['SLIPWAY_SSH_PORT'], 2222),
    sshBind: env['SLIPWAY_SSH_BIND'] ?? '127.0.0.1',
    domain,
    apiHost: env['SLIPWAY_HTTPS_PORT'] === '0' ? undefined : apiHost(env['SLIPWAY_API_HOST'], domain),
    upload: readUploadLimits(env),
    routerLogs: onOff('SLIPWAY_ROUTER_LOGS', env['SLIPWAY_ROUTER_LOGS'], true),
    registryPort: port('SLIPWAY_REGISTRY_PORT', env['SLIPWAY_REGISTRY_PORT'], 5000),
    ...(env['SLIPWAY_REGISTRY_ADDRESS'] ? { registryAddress: ipv4('SLIPWAY_REGISTRY_ADDRESS', env) } : {}),
    autoRebalance: onOff('SLIPWAY_AUTO_REBALANCE', env['SLIPWAY_AUTO_REBALANCE'], false),
    ingress: {
      httpPort: port('SLIPWAY_INGRESS_HTTP_PORT', env['SLIPWAY_INGRESS_HTTP_PORT'], 80),
      httpsPort:
        env['SLIPWAY_INGRESS_HTTPS_PORT'] === '0'
          ? 0
          : port('SLIPWAY_INGRESS_HTTPS_PORT', env['SLIPWAY_INGRESS_HTTPS_PORT'], 443),
      agentPort: port('SLIPWAY_INGRESS_AGENT_PORT', env['SLIPWAY_INGRESS_AGENT_PORT'], 7443),
      baseImage: imageRef('SLIPWAY_INGRESS_BASE_IMAGE', env['SLIPWAY_INGRESS_BASE_IMAGE'] ?? 'debian:bookworm-slim'),
    },
  };
}

/** An image reference as Docker spells one (no spaces, no leading dash: it is sent as a build argument). */
function imageRef(name: string, raw: string): string {
  if (/^[a-z0-9][a-z0-9._/:@-]{0,254}$/i.test(raw) && !raw.includes('..')) return raw;
  throw new SlipwayError(
    'INVALID_INPUT',
    `${name} is not an image reference (got ${JSON.stringify(raw.slice(0, 60))})`,
    {
      hint: `e.g. ${name}=debian:bookworm-slim (an image with haproxy and node saves the install)`,
    },
  );
}

function ipv4(name: string, env: NodeJS.ProcessEnv): string {
  const raw = env[name] ?? '';
  const parts = raw.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255))
    throw new SlipwayError(
      'INVALID_INPUT',
      `${name} must be an IPv4 address (got ${JSON.stringify(raw.slice(0, 40))})`,
      {
        hint: `the address the Swarm nodes reach this server at, e.g. ${name}=10.0.0.2`,
      },
    );
  return raw;
}

/** The remote API's host: a DNS name of its own, or `off`. */
function apiHost(raw: string | undefined, domain: string): string | undefined {
  if (raw === undefined || raw.trim() === '') return `slipway.${domain}`;
  const value = raw.trim().toLowerCase();
  if (value === 'off') return undefined;
  if (/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/.test(value) && value.length <= 253)
    return value;
  throw new SlipwayError(
    'INVALID_INPUT',
    `SLIPWAY_API_HOST must be a host name or off (got ${JSON.stringify(raw.slice(0, 60))})`,
    { hint: `e.g. SLIPWAY_API_HOST=slipway.${domain} (the default), or off to answer on 127.0.0.1 only` },
  );
}

function onOff(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'on' || raw === 'off') return raw === 'on';
  throw new SlipwayError('INVALID_INPUT', `${name} must be on or off (got ${JSON.stringify(raw.slice(0, 40))})`, {
    hint: `e.g. ${name}=off`,
  });
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
    proxySocket: join(home, 'api-proxy.sock'),
    platformCert: join(home, 'platform-cert.sealed'),
    sshHostKey: join(home, 'ssh_host_ed25519_key'),
  };
}
