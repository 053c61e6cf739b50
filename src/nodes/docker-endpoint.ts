import { isAbsolute } from 'node:path';
import { SlipwayError } from '../core/errors.js';
import type { DockerEndpoint, DockerTls } from '../engine/docker-http.js';
import { parseSshUrl, type SshTarget } from './stdio-bridge.js';

/**
 * `--engine DOCKER_HOST` of `nodes:add`: which Docker endpoints Slipway can reach, parsed once at the
 * boundary. Supported: a unix socket (`unix:///path` or `/path`), `tcp://HOST:PORT` (plain, or with TLS when
 * certificates come along: the CA that signed the engine's certificate, this client's certificate and key, as
 * in DOCKER_CERT_PATH), and `ssh://[user@]host[:port]` (through `ssh … docker system dial-stdio`).
 * The value is only ever used as data (a socket path, a host and port, ssh argv words), never in a shell.
 */

/** Normalised `url`, kept on the node (label) so `nodes:remove` can make it leave. */
export type ParsedEngine =
  { url: string; endpoint: DockerEndpoint; ssh?: undefined } | { url: string; ssh: SshTarget; endpoint?: undefined };

const SUPPORTED =
  'unix:///path/to/docker.sock, tcp://HOST:PORT (add --tls-dir DIR for TLS) or ssh://[USER@]HOST[:PORT]';
const TLS_HINT =
  'for TLS: --engine tcp://HOST:2376 --tls-dir DIR (ca.pem, cert.pem, key.pem, as in DOCKER_CERT_PATH); ' +
  'or --engine ssh://USER@HOST';
const PEM_MAX = 64 * 1024;

/** The three PEM texts are what they claim to be (size-bounded); anything else is refused before any connection. */
export function checkTls(tls: DockerTls): DockerTls {
  const block = (text: string, what: string, label: RegExp) => {
    if (typeof text !== 'string' || text.length > PEM_MAX || !label.test(text))
      throw refuse(`--tls-dir: ${what} is not a PEM ${label === KEY_RE ? 'private key' : 'certificate'}`, TLS_HINT);
    return text;
  };
  return {
    ca: block(tls.ca, 'ca.pem', CERT_RE),
    cert: block(tls.cert, 'cert.pem', CERT_RE),
    key: block(tls.key, 'key.pem', KEY_RE),
  };
}
const CERT_RE = /^\s*-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/;
const KEY_RE = /^\s*-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+-----END (?:RSA |EC )?PRIVATE KEY-----\s*$/;
const HOST_RE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/;

function refuse(message: string, hint: string): SlipwayError {
  return new SlipwayError('INVALID_INPUT', message, { hint });
}

function shown(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

export function dockerEndpointFrom(value: string, tls?: DockerTls): ParsedEngine {
  const raw = value.trim();
  if (raw === '' || raw.length > 1024 || /[\0\r\n]/.test(raw))
    throw refuse('--engine needs a Docker endpoint', `use ${SUPPORTED}`);
  if (tls && !/^(?:tcp|http):\/\//.test(raw)) throw refuse('--tls-dir goes with a tcp://HOST:PORT endpoint', TLS_HINT);
  if (raw.startsWith('ssh://')) {
    const ssh = parseSshUrl(raw);
    const host = ssh.host.includes(':') ? `[${ssh.host}]` : ssh.host;
    return { ssh, url: `ssh://${ssh.user ? `${ssh.user}@` : ''}${host}${ssh.port ? `:${ssh.port}` : ''}` };
  }
  if (raw.startsWith('https://') || raw.startsWith('tls://'))
    throw refuse(`unsupported Docker endpoint ${shown(raw)}`, TLS_HINT);
  if (raw.startsWith('/') || raw.startsWith('unix://')) {
    const path = raw.startsWith('unix://') ? raw.slice('unix://'.length) : raw;
    if (!isAbsolute(path) || path.split('/').includes('..'))
      throw refuse(`not an absolute socket path: ${shown(raw)}`, 'e.g. --engine unix:///var/run/docker.sock');
    return { endpoint: { socketPath: path }, url: `unix://${path}` };
  }
  const tcp = /^(?:tcp|http):\/\/([^/]+):(\d{1,5})\/?$/.exec(raw);
  if (tcp) {
    const host = tcp[1]!;
    const port = Number(tcp[2]);
    if (!HOST_RE.test(host) || port < 1 || port > 65535)
      throw refuse(`not a HOST:PORT: ${shown(raw)}`, 'e.g. --engine tcp://10.0.0.2:2375');
    const bare = host.startsWith('[') ? host.slice(1, -1) : host;
    return { endpoint: { host: bare, port, ...(tls ? { tls: checkTls(tls) } : {}) }, url: `tcp://${host}:${port}` };
  }
  throw refuse(`unsupported Docker endpoint ${shown(raw)}`, `use ${SUPPORTED}`);
}

/** The address a Swarm advertises: an IP or hostname, optionally with `:PORT`. */
export function checkAdvertiseAddr(value: string): string {
  const m = /^(.+?)(?::(\d{1,5}))?$/.exec(value.trim());
  const host = m?.[1] ?? '';
  const port = m?.[2] === undefined ? undefined : Number(m[2]);
  if (!HOST_RE.test(host) || (port !== undefined && (port < 1 || port > 65535)))
    throw refuse(`not an address: ${shown(value)}`, 'give the IP other servers reach this one at, e.g. 10.0.0.1');
  return value.trim();
}
