import { SlipwayError } from '../core/errors.js';
import type { SlipwayYml } from './slipway-yml.js';
import type { GenerateOptions } from './generate/options.js';

/** The name an extra CA certificate gets in the app directory (`init --ca-cert`) or the build context (deploy). */
export const CA_CERT_FILE = 'slipway-ca.crt';

export type Runtime = NonNullable<GenerateOptions['runtime']>;

export function parseRuntime(value: string, where = '--runtime'): Runtime {
  if (value === 'official' || value === 'debian') return value;
  throw new SlipwayError('INVALID_INPUT', `${where} must be "official" or "debian", not ${JSON.stringify(value)}`, {
    hint: 'official = the language images (node:20-bookworm-slim, …); debian = Debian\'s own packages on a Debian base',
  });
}

/** Checks that text is one or more PEM certificates; `source` names where it came from. */
export function assertPemCertificates(text: string, source: string): void {
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(text)) {
    throw new SlipwayError('INVALID_INPUT', `${source} is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" block)`, {
      hint: 'pass a PEM file, e.g. your proxy\'s root CA or /etc/ssl/certs/ca-certificates.crt',
    });
  }
}

/**
 * Generator options from the command line over slipway.yml `build` over the defaults. `caCertFile`
 * is the file name inside the build context when the certificate comes from the command line.
 */
export function resolveBuildOptions(
  given: { runtime?: string; baseImage?: string; caCertFile?: string },
  yml: SlipwayYml | undefined,
): Pick<GenerateOptions, 'runtime' | 'baseImage' | 'caCert'> {
  const runtime = given.runtime ? parseRuntime(given.runtime) : (yml?.build?.runtime ?? 'official');
  const baseImage = given.baseImage ?? yml?.build?.baseImage;
  const caCert = given.caCertFile ?? yml?.build?.caCert;
  return { runtime, ...(baseImage ? { baseImage } : {}), ...(caCert ? { caCert } : {}) };
}

/** Env for version overrides: only SLIPWAY_<RUNTIME>_VERSION keys, never anything else (secrets). */
export function versionOverrides(...sources: Array<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const source of sources) {
    for (const [key, value] of Object.entries(source)) if (/^SLIPWAY_[A-Z]+_VERSION$/.test(key) && value) out[key] = value;
  }
  return out;
}
