import { SlipwayError } from '../core/errors.js';

/**
 * Pure names of the registry world: a registry server is `HOST:PORT` (what Docker keys auth and
 * trust by), an image in it is `HOST:PORT/slipway/APP:TAG`, and what nodes run is `…@sha256:DIGEST`.
 */

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const APP_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isIpv4(host: string): boolean {
  return IPV4.test(host);
}

export function isDnsName(host: string): boolean {
  return DNS_NAME.test(host) && !/^\d+(\.\d+)*$/.test(host);
}

/** `HOST:PORT` with an IPv4 address or a DNS name and a port 1-65535; throws INVALID_INPUT otherwise. */
export function parseRegistryServer(server: string): { host: string; port: number } {
  const match = /^([^:/\s]+):(\d{1,5})$/.exec(server);
  const host = match?.[1] ?? '';
  const port = Number(match?.[2]);
  if (!match || !(isIpv4(host) || isDnsName(host)) || !(port >= 1 && port <= 65535)) {
    throw new SlipwayError('INVALID_INPUT', `not a registry address: ${JSON.stringify(server)}`, {
      hint: 'use HOST:PORT, e.g. 10.0.0.5:5000 or registry.example.com:443',
    });
  }
  return { host: host.toLowerCase(), port };
}

/** A user's registry URL (`https://HOST[:PORT]` or `HOST:PORT`) as the `HOST:PORT` Docker uses. */
export function registryServerFromUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  if (/^http:\/\//i.test(trimmed)) {
    throw new SlipwayError('INVALID_INPUT', `registry ${JSON.stringify(url)} is plain HTTP`, {
      hint: 'Slipway talks to registries over TLS only; give its https:// URL (and its CA if it is private)',
    });
  }
  const bare = trimmed.replace(/^https:\/\//i, '');
  const withPort = /:\d+$/.test(bare) ? bare : `${bare}:443`;
  const { host, port } = parseRegistryServer(withPort);
  return `${host}:${port}`;
}

/** `SERVER/slipway/APP` — the repository of an app's images. */
export function appRepository(server: string, app: string): string {
  parseRegistryServer(server);
  if (!APP_NAME.test(app)) {
    throw new SlipwayError('INVALID_NAME', `not an app name for a registry path: ${JSON.stringify(app)}`, {
      hint: 'app names are lowercase letters, digits and dashes',
    });
  }
  return `${server}/slipway/${app}`;
}

export function assertTag(tag: string): string {
  if (!TAG.test(tag)) {
    throw new SlipwayError('INVALID_INPUT', `not an image tag: ${JSON.stringify(tag)}`, {
      hint: 'a tag is up to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`',
    });
  }
  return tag;
}

export function assertDigest(digest: string): string {
  if (!DIGEST.test(digest)) {
    throw new SlipwayError('REGISTRY_FAILED', `the registry returned an unexpected digest ${JSON.stringify(digest)}`);
  }
  return digest;
}

export interface ImageReference {
  /** `HOST:PORT` when the first path component names a registry; undefined for Docker Hub names. */
  server: string | undefined;
  /** Everything before the tag or digest, e.g. `10.0.0.5:5000/slipway/web`. */
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

/** Splits `[SERVER/]PATH[:TAG][@DIGEST]` (Docker's rule: a first component with `.` or `:` is a registry). */
export function parseImageReference(ref: string): ImageReference {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const named = at >= 0 ? ref.slice(0, at) : ref;
  const slash = named.indexOf('/');
  const first = slash >= 0 ? named.slice(0, slash) : '';
  const server = first && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : undefined;
  const lastColon = named.lastIndexOf(':');
  const hasTag = lastColon > named.lastIndexOf('/');
  return {
    server,
    repository: hasTag ? named.slice(0, lastColon) : named,
    tag: hasTag ? named.slice(lastColon + 1) : undefined,
    digest,
  };
}
