import { X509Certificate } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SlipwayError } from '../core/errors.js';
import type { SlipwayYml } from './slipway-yml.js';
import type { GenerateOptions } from './generate/options.js';

/** The name an extra CA certificate gets in the app directory (`init --ca-cert`) or the build context (deploy). */
export const CA_CERT_FILE = 'slipway-ca.crt';

export type Runtime = NonNullable<GenerateOptions['runtime']>;

export function parseRuntime(value: string, where = '--runtime'): Runtime {
  if (value === 'official' || value === 'debian') return value;
  throw new SlipwayError('INVALID_INPUT', `${where} must be "official" or "debian", not ${JSON.stringify(value)}`, {
    hint: "official = the language images (node:20-bookworm-slim, …); debian = Debian's own packages on a Debian base",
  });
}

/** The most a CA file may be (Debian's whole bundle, /etc/ssl/certs/ca-certificates.crt, is about 220 KB). */
export const MAX_CA_CERT_BYTES = 1024 * 1024;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)\r?\n?-----END ([A-Z0-9 ]+)-----/g;

/**
 * Checks that text is PEM certificates and nothing else: one or more CERTIFICATE blocks, only
 * whitespace around them, each body base64 that parses as an X.509 certificate (node's
 * crypto.X509Certificate), at most MAX_CA_CERT_BYTES. `source` names where it came from. Messages
 * give the block number and line, never the file's text.
 */
export function assertPemCertificates(text: string, source: string): void {
  const hint =
    "pass PEM certificates only, e.g. your proxy's root CA or /etc/ssl/certs/ca-certificates.crt " +
    '(re-export with `openssl x509 -in FILE` to drop other text)';
  const refuse = (problem: string) => new SlipwayError('INVALID_INPUT', `${source} ${problem}`, { hint });
  if (Buffer.byteLength(text) > MAX_CA_CERT_BYTES) throw refuse(`is larger than ${MAX_CA_CERT_BYTES / 1024} KiB`);
  const lineAt = (offset: number) => text.slice(0, offset).split('\n').length;
  let count = 0;
  let last = 0;
  for (const match of text.matchAll(PEM_BLOCK)) {
    count++;
    const [, label, body, end] = match;
    const at = match.index;
    if (text.slice(last, at).trim() !== '')
      throw refuse(`has text that is not a certificate before line ${lineAt(at)}; it must hold PEM certificates only`);
    last = at + match[0].length;
    if (label !== 'CERTIFICATE' || end !== 'CERTIFICATE')
      throw refuse(
        `has a "${(label ?? '').slice(0, 40)}" block at line ${lineAt(at)}; ` +
          'only CERTIFICATE blocks are allowed (never a private key)',
      );
    const base64 = (body ?? '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw refuse(`block ${count} (line ${lineAt(at)}) is not base64`);
    try {
      new X509Certificate(Buffer.from(base64, 'base64'));
    } catch {
      throw refuse(`block ${count} (line ${lineAt(at)}) is not an X.509 certificate`);
    }
  }
  if (count === 0) throw refuse('is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" block)');
  if (text.slice(last).trim() !== '')
    throw refuse(`has text that is not a certificate after line ${lineAt(last)}; it must hold PEM certificates only`);
}

/** Reads `--ca-cert FILE` on the user's machine (at most MAX_CA_CERT_BYTES) and checks it is PEM certificates only. */
export async function readCaCertFile(file: string): Promise<string> {
  let pem: string;
  try {
    const handle = await open(resolve(file), constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new Error('not a regular file');
      if (info.size > MAX_CA_CERT_BYTES)
        throw new SlipwayError('INVALID_INPUT', `--ca-cert ${file} is larger than ${MAX_CA_CERT_BYTES / 1024} KiB`, {
          hint: 'pass PEM certificates only',
        });
      pem = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (cause) {
    if (cause instanceof SlipwayError) throw cause;
    throw new SlipwayError('INVALID_INPUT', `cannot read --ca-cert ${file}`, {
      cause,
      hint: 'pass the path of a PEM certificate file',
    });
  }
  assertPemCertificates(pem, `--ca-cert ${file}`);
  return pem;
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
    for (const [key, value] of Object.entries(source))
      if (/^SLIPWAY_[A-Z]+_VERSION$/.test(key) && value) out[key] = value;
  }
  return out;
}
