import { isAbsolute } from 'node:path';
import { SlipwayError } from '../core/errors.js';
import type { DockerEndpoint } from '../engine/docker-http.js';
import { parseSshUrl, type SshTarget } from './stdio-bridge.js';

/**
 * `--engine DOCKER_HOST` of `nodes:add`: which Docker endpoints Slipway can reach, parsed once at the
 * boundary. Supported: a unix socket (`unix:///path` or `/path`), plain `tcp://HOST:PORT`, and
 * `ssh://[user@]host[:port]` (through `ssh … docker system dial-stdio`, see stdio-bridge.ts).
 * Not yet: TLS (`tcp://…:2376` with certificates) — refused with a workaround, never half-tried.
 * The value is only ever used as data (a socket path, a host and port, ssh argv words), never in a shell.
 */

/** Normalised `url`, kept on the node (label) so `nodes:remove` can make it leave. */
export type ParsedEngine =
  { url: string; endpoint: DockerEndpoint; ssh?: undefined } | { url: string; ssh: SshTarget; endpoint?: undefined };

const SUPPORTED = 'unix:///path/to/docker.sock, tcp://HOST:PORT (plain, no TLS) or ssh://[USER@]HOST[:PORT]';
const TLS_HINT =
  'TLS endpoints are not supported yet: use --engine ssh://root@node2 (key-based login), ' +
  'or a socket forwarded over ssh (`ssh -nNT -L /tmp/node2.sock:/var/run/docker.sock root@node2 &`)';
const HOST_RE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/;

function refuse(message: string, hint: string): SlipwayError {
  return new SlipwayError('INVALID_INPUT', message, { hint });
}

function shown(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

export function dockerEndpointFrom(value: string): ParsedEngine {
  const raw = value.trim();
  if (raw === '' || raw.length > 1024 || /[\0\r\n]/.test(raw))
    throw refuse('--engine needs a Docker endpoint', `use ${SUPPORTED}`);
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
    return { endpoint: { host: bare, port }, url: `tcp://${host}:${port}` };
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
