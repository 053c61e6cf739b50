import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SlipwayError } from '../core/errors.js';
import type { SecretBox } from '../store/secret-box.js';
import type { RegistryAccess } from './registry-auth.js';
import { ensureRegistryUser } from './registry-credentials.js';
import { parseRegistryServer, registryServerFromUrl } from './registry-names.js';
import { RegistrySupervisor, type RegistryEvent, type RegistrySupervisorOptions } from './registry-supervisor.js';
import { ensureRegistryTls, type RegistryTls } from './registry-tls.js';
import { registryTrust, type RegistryTrust } from './registry-trust.js';

/**
 * Composition of the supervised registry: TLS (Slipway's CA, or the user's own cert/key/CA),
 * the generated user, the supervisor, and what nodes need (access for `X-Registry-Auth`, trust).
 */

export interface SupervisedRegistryOptions {
  /** SLIPWAY_HOME/registry */
  dir: string;
  box: SecretBox;
  /** The manager's address the nodes reach (first SAN, and the `HOST` of `HOST:PORT`). */
  advertise: string;
  /** More names/addresses for the certificate (e.g. the manager's DNS name). */
  extraNames?: string[];
  /** Listen address; defaults to `advertise`. */
  bind?: string;
  port: number;
  /** The user's own certificate instead of Slipway's CA: PEM files. */
  userTls?: { certFile: string; keyFile: string; caFile: string };
  registryBin?: string;
  restart?: RegistrySupervisorOptions['restart'];
  log?: (event: RegistryEvent) => void;
}

export interface SupervisedRegistry {
  supervisor: RegistrySupervisor;
  access: RegistryAccess;
  trust: RegistryTrust;
  tls: RegistryTls;
}

export async function prepareSupervisedRegistry(opts: SupervisedRegistryOptions): Promise<SupervisedRegistry> {
  const server = `${opts.advertise}:${opts.port}`;
  parseRegistryServer(server);
  const tls = opts.userTls
    ? await readUserTls(opts.userTls)
    : await ensureRegistryTls(path.join(opts.dir, 'tls'), [opts.advertise, ...(opts.extraNames ?? [])]);
  const user = await ensureRegistryUser(path.join(opts.dir, 'auth'), opts.box);
  const supervisor = new RegistrySupervisor({
    dir: opts.dir,
    bind: opts.bind ?? opts.advertise,
    port: opts.port,
    tls: { certFile: tls.certFile, keyFile: tls.keyFile, caPem: tls.caPem },
    htpasswdFile: user.htpasswdFile,
    ...(opts.registryBin ? { registryBin: opts.registryBin } : {}),
    ...(opts.restart ? { restart: opts.restart } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  return {
    supervisor,
    access: { server, username: user.username, password: user.password },
    trust: registryTrust(server, tls.caPem),
    tls: { certFile: tls.certFile, keyFile: tls.keyFile, caPem: tls.caPem },
  };
}

async function readUserTls(files: { certFile: string; keyFile: string; caFile: string }): Promise<RegistryTls> {
  const caPem = await readFile(files.caFile, 'utf8').catch((cause: unknown) => {
    throw new SlipwayError('INVALID_INPUT', `cannot read the registry CA ${files.caFile}`, {
      hint: 'give the PEM file of the CA that signed your registry certificate',
      cause,
    });
  });
  return { certFile: files.certFile, keyFile: files.keyFile, caPem };
}

/** A registry the user runs: `{ url, username, password, ca? }` (ca = PEM of a private CA). */
export interface UserRegistry {
  url: string;
  username: string;
  password: string;
  ca?: string;
}

/** The access for a user's registry, and the trust to install on every node when it has a private CA. */
export function userRegistryAccess(registry: UserRegistry): {
  access: RegistryAccess;
  trust: RegistryTrust | undefined;
} {
  const server = registryServerFromUrl(registry.url);
  if (!registry.username || !registry.password) {
    throw new SlipwayError('INVALID_INPUT', `the registry ${server} needs a username and a password`, {
      hint: 'Slipway pushes with credentials; create a user for it in your registry',
    });
  }
  return {
    access: { server, username: registry.username, password: registry.password },
    trust: registry.ca ? registryTrust(server, registry.ca) : undefined,
  };
}
