import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { SlipwayError } from '../core/errors.js';

/** What `certs` shows about a certificate (nothing secret). */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** DNS names it is valid for: its DNS subject alternative names, else its subject CN. */
  names: string[];
  notBefore: string;
  notAfter: string;
  fingerprint256: string;
}

export interface CertificatePair {
  info: CertificateInfo;
  /** Normalized PEM: the certificate chain (leaf first) and the private key, each ending with a line break. */
  pem: { cert: string; key: string };
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;
const CLOCK_SKEW_MS = 5 * 60_000;
const PAIR_HINT =
  'slipway certs:add -a APP CERT_FILE KEY_FILE — both PEM: ' +
  'the certificate (chain) first, then its unencrypted private key';

/**
 * Checks a certificate and private key before anything is stored: both parse, the key belongs to
 * the certificate, and the certificate is valid now. Errors never quote the key.
 */
export function inspectCertificatePair(certText: string, keyText: string, now: Date): CertificatePair {
  const blocks = certText.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0)
    throw invalid('the certificate is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" block)');
  const cert = parseCertificate(blocks[0]!);
  const key = parseKey(keyText);
  if (!cert.checkPrivateKey(key.object)) {
    throw invalid(
      'the private key does not belong to the certificate',
      'pass the key file that was generated with this certificate (its CSR)',
    );
  }
  const info = describe(cert);
  if (now.getTime() > Date.parse(cert.validTo))
    throw invalid(`the certificate expired on ${info.notAfter}`, 'renew it, then add the new one');
  // A certificate issued a moment ago on a host whose clock is slightly behind is fine.
  if (now.getTime() + CLOCK_SKEW_MS < Date.parse(cert.validFrom))
    throw invalid(`the certificate is not valid before ${info.notBefore}`, 'add it once it is valid');
  if (info.names.length === 0)
    throw invalid('the certificate names no DNS host (no DNS subject alternative name, no CN)');
  return { info, pem: { cert: `${blocks.join('\n')}\n`, key: `${key.pem}\n` } };
}

/** Facts about a stored certificate chain (its leaf). */
export function describeCertificate(certPem: string): CertificateInfo {
  const first = certPem.match(CERT_BLOCK)?.[0];
  if (!first) throw new SlipwayError('INTERNAL', 'the stored certificate is not PEM');
  return describe(parseCertificate(first));
}

function describe(cert: X509Certificate): CertificateInfo {
  const sans = (cert.subjectAltName ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase());
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1]?.trim().toLowerCase();
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    names: sans.length > 0 ? sans : cn ? [cn] : [],
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    fingerprint256: cert.fingerprint256,
  };
}

function parseCertificate(block: string): X509Certificate {
  try {
    return new X509Certificate(block);
  } catch {
    throw invalid('the certificate could not be parsed (damaged PEM or not X.509)');
  }
}

function parseKey(text: string): { object: KeyObject; pem: string } {
  const match = KEY_BLOCK.exec(text);
  if (!match) throw invalid('the key is not a PEM private key (no "-----BEGIN … PRIVATE KEY-----" block)');
  if (match[1] === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: 4,ENCRYPTED/.test(match[0])) {
    throw invalid(
      'the private key is encrypted with a passphrase',
      'remove the passphrase first: openssl pkey -in key.pem -out key-plain.pem',
    );
  }
  try {
    return { object: createPrivateKey(match[0]), pem: match[0] };
  } catch {
    // The parser's message is dropped on purpose: nothing about the key's content reaches an error.
    throw invalid('the private key could not be parsed');
  }
}

function invalid(message: string, hint = PAIR_HINT): SlipwayError {
  return new SlipwayError('INVALID_INPUT', message, { hint });
}

function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}
