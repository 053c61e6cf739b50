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
  await makeSelfSigned(file, { subject: '/O=Slipway/CN=slipway-default', ...opts });
  return 'created';
}

/** A self-signed certificate (EC P-256, 10 years) written with its key as one PEM bundle (mode 600). */
export async function makeSelfSigned(
  file: string,
  opts: { subject: string; dnsName?: string; openssl?: string },
): Promise<void> {
  const dir = await mkdtemp(path.join(path.dirname(file), '.self-signed-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    args.push('-keyout', key, '-out', cert, '-days', '3650', '-subj', opts.subject);
    if (opts.dnsName) args.push('-addext', `subjectAltName=DNS:${opts.dnsName}`);
    await sslRun(opts.openssl ?? 'openssl', args);
    const bundle = `${(await readFile(cert, 'utf8')).trim()}\n${(await readFile(key, 'utf8')).trim()}\n`;
    await writeFile(`${file}.tmp`, bundle, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The certificate in `file`, when it is readable and valid for another 30 days. */
export async function stillValid(file: string, now: Date): Promise<X509Certificate | undefined> {
  try {
    const cert = new X509Certificate(await readFile(file));
    return Date.parse(cert.validTo) - now.getTime() > RENEW_BEFORE_MS ? cert : undefined;
  } catch {
    return undefined;
  }
}

function sslRun(bin: string, args: string[]): Promise<void> {
  const hint = 'install OpenSSL (`apt-get install openssl`), or disable HTTPS with SLIPWAY_HTTPS_PORT=0';
  return runOpenssl(bin, args, 'a self-signed TLS certificate', hint);
}
