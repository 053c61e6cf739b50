import { X509Certificate, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SlipwayError } from '../core/errors.js';
import { isDnsName, isIpv4 } from './registry-names.js';
import { runOpenssl } from '../core/openssl.js';

/**
 * Slipway's own CA (made once, key mode 600) and the registry's server certificate signed by it,
 * for the manager's addresses as SANs. Made with `openssl` through execFile (argument arrays only).
 * The leaf is made again when it is near expiry, when its SANs change, or when the CA changed.
 */

const RENEW_BEFORE_MS = 30 * 24 * 3600_000;
const CA_DAYS = '3650';
const LEAF_DAYS = '397';
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface RegistryTlsFiles {
  caFile: string;
  caKeyFile: string;
  certFile: string;
  keyFile: string;
}

export interface RegistryTls {
  certFile: string;
  keyFile: string;
  /** The CA certificate nodes must trust (PEM). */
  caPem: string;
}

export function registryTlsFiles(dir: string): RegistryTlsFiles {
  return {
    caFile: path.join(dir, 'ca.crt'),
    caKeyFile: path.join(dir, 'ca.key'),
    certFile: path.join(dir, 'registry.crt'),
    keyFile: path.join(dir, 'registry.key'),
  };
}

/** `['IP:10.0.0.5', 'DNS:m1']`: validated, lower-cased, deduplicated, sorted. Throws INVALID_INPUT. */
export function subjectAltNames(hosts: readonly string[]): string[] {
  if (hosts.length === 0) {
    throw new SlipwayError('INVALID_INPUT', 'the registry certificate needs at least one address', {
      hint: "give the manager's address the nodes reach it at",
    });
  }
  const names = hosts.map((raw) => {
    const host = raw.trim().toLowerCase();
    if (isIpv4(host)) return `IP:${host}`;
    if (isDnsName(host)) return `DNS:${host}`;
    throw new SlipwayError('INVALID_INPUT', `not an address for the registry certificate: ${JSON.stringify(raw)}`, {
      hint: 'use an IPv4 address or a DNS name',
    });
  });
  return [...new Set(names)].sort();
}

/** Node's `X509Certificate.subjectAltName` (`IP Address:1.2.3.4, DNS:m1`) in the `subjectAltNames` form. */
export function parseCertificateSans(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  const names = subjectAltName
    .split(/,\s*/)
    .map((part) => part.trim())
    .map((part) => (part.startsWith('IP Address:') ? `IP:${part.slice('IP Address:'.length)}` : part))
    .filter((part) => part.startsWith('IP:') || part.startsWith('DNS:'))
    .map((part) => part.toLowerCase().replace(/^ip:/, 'IP:').replace(/^dns:/, 'DNS:'));
  return [...new Set(names)].sort();
}

/** The openssl extension file of the leaf (pure; SANs already validated). */
export function leafExtensions(sans: readonly string[]): string {
  return [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=${sans.join(',')}`,
    '',
  ].join('\n');
}

export type TlsChange = 'kept' | 'created';

/**
 * Makes (or keeps) the CA and the registry certificate under `dir` for `hosts`.
 * Returns what changed: a new CA means every node must be given the new CA PEM.
 */
export async function ensureRegistryTls(
  dir: string,
  hosts: readonly string[],
  opts: { openssl?: string; now?: Date } = {},
): Promise<RegistryTls & { ca: TlsChange; leaf: TlsChange }> {
  const sans = subjectAltNames(hosts);
  const now = opts.now ?? new Date();
  const openssl = opts.openssl ?? 'openssl';
  const files = registryTlsFiles(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = (await caStillValid(files, now)) ? 'kept' : await makeCa(openssl, files);
  const caPem = await readFile(files.caFile, 'utf8');
  const leaf =
    ca === 'kept' && (await leafStillValid(files, caPem, sans, now)) ? 'kept' : await makeLeaf(openssl, files, sans);
  return { certFile: files.certFile, keyFile: files.keyFile, caPem, ca, leaf };
}

/** Makes (or keeps) a CA of Slipway's own under `dir` (`ca.crt`, `ca.key`), e.g. for the ingress channel. */
export async function ensureCa(
  dir: string,
  opts: { openssl?: string; now?: Date } = {},
): Promise<Pick<RegistryTlsFiles, 'caFile' | 'caKeyFile'> & { ca: TlsChange }> {
  const files = registryTlsFiles(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = (await caStillValid(files, opts.now ?? new Date()))
    ? 'kept'
    : await makeCa(opts.openssl ?? 'openssl', files);
  return { caFile: files.caFile, caKeyFile: files.caKeyFile, ca };
}

async function caStillValid(files: RegistryTlsFiles, now: Date): Promise<boolean> {
  try {
    const cert = new X509Certificate(await readFile(files.caFile));
    await readFile(files.caKeyFile);
    return cert.ca && Date.parse(cert.validTo) - now.getTime() > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

async function leafStillValid(files: RegistryTlsFiles, caPem: string, sans: string[], now: Date): Promise<boolean> {
  try {
    const cert = new X509Certificate(await readFile(files.certFile));
    await readFile(files.keyFile);
    const ca = new X509Certificate(caPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    if (Date.parse(cert.validTo) - now.getTime() <= RENEW_BEFORE_MS) return false;
    return parseCertificateSans(cert.subjectAltName).join(',') === sans.join(',');
  } catch {
    return false;
  }
}

async function makeCa(openssl: string, files: RegistryTlsFiles): Promise<'created'> {
  await withScratch(path.dirname(files.caFile), async (tmp) => {
    const key = path.join(tmp, 'ca.key');
    const cert = path.join(tmp, 'ca.crt');
    await sslRun(openssl, [
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      CA_DAYS,
      '-subj',
      `/O=Slipway/CN=Slipway registry CA ${randomBytes(4).toString('hex')}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await install(key, files.caKeyFile, 0o600);
    await install(cert, files.caFile, 0o644);
  });
  return 'created';
}

async function makeLeaf(openssl: string, files: RegistryTlsFiles, sans: string[]): Promise<'created'> {
  await issueLeaf(
    files,
    { certFile: files.certFile, keyFile: files.keyFile },
    'registry',
    leafExtensions(sans),
    openssl,
  );
  return 'created';
}

/**
 * A key and a certificate signed by Slipway's CA (the registry's), for `cn` with the openssl extension
 * lines `extensions`; written with modes 0600 (key) and 0644, each replaced in one rename.
 */
export async function issueLeaf(
  ca: Pick<RegistryTlsFiles, 'caFile' | 'caKeyFile'>,
  out: { certFile: string; keyFile: string },
  cn: string,
  extensions: string,
  openssl = 'openssl',
): Promise<void> {
  await withScratch(path.dirname(out.certFile), async (tmp) => {
    const key = path.join(tmp, 'leaf.key');
    const csr = path.join(tmp, 'leaf.csr');
    const cert = path.join(tmp, 'leaf.crt');
    const ext = path.join(tmp, 'ext.cnf');
    await writeFile(ext, extensions, { mode: 0o600 });
    await sslRun(openssl, ['req', '-new', ...EC_KEY, '-keyout', key, '-out', csr, '-subj', `/O=Slipway/CN=${cn}`]);
    await sslRun(openssl, [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.caFile,
      '-CAkey',
      ca.caKeyFile,
      '-set_serial',
      `0x${randomBytes(16).toString('hex')}`,
      '-days',
      LEAF_DAYS,
      '-sha256',
      '-extfile',
      ext,
      '-out',
      cert,
    ]);
    await install(key, out.keyFile, 0o600);
    await install(cert, out.certFile, 0o644);
  });
}

async function withScratch(dir: string, task: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = await mkdtemp(path.join(dir, '.tls-'));
  try {
    await task(tmp);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function install(from: string, to: string, mode: number): Promise<void> {
  await writeFile(`${to}.tmp`, await readFile(from), { mode });
  await rename(`${to}.tmp`, to);
}

function sslRun(bin: string, args: string[]): Promise<void> {
  return runOpenssl(bin, args, 'the registry certificate', 'install OpenSSL (`apt-get install openssl`)');
}
