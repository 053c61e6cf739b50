import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runOpenssl } from '../core/openssl.js';

const RENEW_BEFORE_MS = 30 * 24 * 3600_000;

/**
 * HAProxy needs at least one certificate on a TLS bind: a self-signed one, served when no app
 * certificate matches the SNI name. Made locally with `openssl` (no network), kept while valid.
 */
export async function ensureDefaultCertificate(
  file: string,
  opts: { openssl?: string; now?: Date } = {},
): Promise<'kept' | 'created'> {
  const now = opts.now ?? new Date();
  if (await stillValid(file, now)) return 'kept';
  const dir = await mkdtemp(path.join(path.dirname(file), '.default-cert-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    args.push('-keyout', key, '-out', cert, '-days', '3650', '-subj', '/O=Slipway/CN=slipway-default');
    await sslRun(opts.openssl ?? 'openssl', args);
    const bundle = `${(await readFile(cert, 'utf8')).trim()}\n${(await readFile(key, 'utf8')).trim()}\n`;
    await writeFile(`${file}.tmp`, bundle, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
    return 'created';
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function stillValid(file: string, now: Date): Promise<boolean> {
  try {
    const cert = new X509Certificate(await readFile(file));
    return Date.parse(cert.validTo) - now.getTime() > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

function sslRun(bin: string, args: string[]): Promise<void> {
  const hint = 'install OpenSSL (`apt-get install openssl`), or disable HTTPS with SLIPWAY_HTTPS_PORT=0';
  return runOpenssl(bin, args, 'the default TLS certificate', hint);
}
