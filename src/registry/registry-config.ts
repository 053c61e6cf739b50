import { stringify } from 'yaml';

/** The inputs of distribution's config file; no secret is among them (htpasswd holds a bcrypt hash). */
export interface RegistryConfigInput {
  /** Blob and manifest storage, e.g. SLIPWAY_HOME/registry/data. */
  rootDirectory: string;
  bind: string;
  port: number;
  certFile: string;
  keyFile: string;
  htpasswdFile: string;
}

/** distribution 2.8's `config.yml` (pure). */
export function renderRegistryConfig(input: RegistryConfigInput): string {
  const addr = input.bind.includes(':') ? `[${input.bind}]:${input.port}` : `${input.bind}:${input.port}`;
  return stringify({
    version: 0.1,
    log: { level: 'info', formatter: 'text', accesslog: { disabled: true }, fields: { service: 'slipway-registry' } },
    storage: {
      filesystem: { rootdirectory: input.rootDirectory },
      delete: { enabled: true },
      cache: { blobdescriptor: 'inmemory' },
      maintenance: { uploadpurging: { enabled: true, age: '168h', interval: '24h', dryrun: false } },
    },
    http: {
      addr,
      headers: { 'X-Content-Type-Options': ['nosniff'] },
      tls: { certificate: input.certFile, key: input.keyFile },
    },
    auth: { htpasswd: { realm: 'slipway-registry', path: input.htpasswdFile } },
  });
}
