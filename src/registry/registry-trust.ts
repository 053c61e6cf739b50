import { X509Certificate } from 'node:crypto';
import { mkdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SlipwayError } from '../core/errors.js';
import { parseRegistryServer } from './registry-names.js';

/**
 * Docker trusts a registry's CA when it is at `/etc/docker/certs.d/HOST:PORT/ca.crt` on that node.
 * On the manager Slipway writes it; for another node, `registryTrust()` says what to write where
 * (the join step carries it).
 */

export const DOCKER_CERTS_DIR = '/etc/docker/certs.d';

export interface RegistryTrust {
  /** Absolute path of `ca.crt` on the node. */
  path: string;
  caPem: string;
}

/** `CERTS_DIR/HOST:PORT/ca.crt`, with HOST:PORT validated (no `/`, `..` or spaces can reach the path). */
export function registryTrustPath(server: string, certsDir = DOCKER_CERTS_DIR): string {
  const { host, port } = parseRegistryServer(server);
  return path.join(certsDir, `${host}:${port}`, 'ca.crt');
}

export function registryTrust(server: string, caPem: string, certsDir = DOCKER_CERTS_DIR): RegistryTrust {
  assertCaPem(caPem);
  return { path: registryTrustPath(server, certsDir), caPem };
}

/** Writes the CA where this host's Docker looks for it (atomically, mode 644). */
export async function writeRegistryTrust(server: string, caPem: string, certsDir = DOCKER_CERTS_DIR): Promise<string> {
  const trust = registryTrust(server, caPem, certsDir);
  await mkdir(path.dirname(trust.path), { recursive: true, mode: 0o755 });
  await writeFile(`${trust.path}.tmp`, trust.caPem, { mode: 0o644 });
  await rename(`${trust.path}.tmp`, trust.path);
  return trust.path;
}

/** Removes the CA file and its directory when nothing else is in it. */
export async function removeRegistryTrust(server: string, certsDir = DOCKER_CERTS_DIR): Promise<void> {
  const file = registryTrustPath(server, certsDir);
  await rm(file, { force: true });
  await rmdir(path.dirname(file)).catch(() => undefined);
}

function assertCaPem(caPem: string): void {
  try {
    if (new X509Certificate(caPem).ca) return;
  } catch {
    // reported below
  }
  throw new SlipwayError('INVALID_INPUT', 'the registry CA is not a PEM CA certificate', {
    hint: 'give the CA certificate (BEGIN CERTIFICATE, with CA:TRUE) that signed the registry certificate',
  });
}
