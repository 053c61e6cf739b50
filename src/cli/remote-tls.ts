import http from 'node:http';
import type https from 'node:https';
import type tls from 'node:tls';
import type { LookupFunction } from 'node:net';
import { createRequire } from 'node:module';
import { SlipwayError } from '../core/errors.js';

// https and tls (crypto with them: ~8 ms) load on first use; every command reads this module and
// the local server speaks plain HTTP.
const builtin = createRequire(import.meta.url);
const httpsModule = () => builtin('node:https') as typeof https;
const tlsModule = () => builtin('node:tls') as typeof tls;

/** How the CLI reaches a remote over HTTPS: the certificate pinned at login, and an address override. */
export interface RemoteConnection {
  /** The remote's name, for messages. */
  name?: string | undefined;
  /** The pinned chain root (PEM: the certificate itself when self-signed) and the leaf's SHA-256 fingerprint. */
  certificate?: string | undefined;
  fingerprint?: string | undefined;
  /** Connect here instead of resolving the URL's host (SNI and Host stay the URL's). */
  address?: string | undefined;
}

/** http.request or https.request, with the remote's trust settings. */
export function requestFor(
  url: URL,
  options: http.RequestOptions,
  conn: RemoteConnection | undefined,
): http.ClientRequest {
  if (url.protocol !== 'https:') return http.request(url, options);
  return httpsModule().request(url, { ...options, ...tlsOptions(url, conn) });
}

function tlsOptions(url: URL, conn: RemoteConnection | undefined): https.RequestOptions {
  const pin = conn?.fingerprint;
  return {
    servername: url.hostname,
    ...(conn?.address ? { lookup: fixedLookup(conn.address) } : {}),
    // A pinned certificate is trusted for this remote (besides the public CAs), and then only that exact one.
    ...(conn?.certificate ? { ca: [...tlsModule().rootCertificates, conn.certificate] } : {}),
    checkServerIdentity: (host, cert) => {
      if (pin && cert.fingerprint256 === pin) return undefined;
      return tlsModule().checkServerIdentity(host, cert);
    },
  };
}

/** A DNS lookup that always answers `address` (Node asks for one address or, with autoSelectFamily, all). */
export function fixedLookup(address: string): LookupFunction {
  const family = address.includes(':') ? 6 : 4;
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
}

/** A TLS failure as the user should read it: which remote, and what to do. */
export function tlsError(err: NodeJS.ErrnoException, url: URL, conn: RemoteConnection | undefined): Error {
  const code = err.code ?? '';
  const untrusted = /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS/.test(code);
  if (!untrusted) return err;
  const who = conn?.name ? `remote ${conn.name} (${url.origin})` : url.origin;
  return new SlipwayError(
    'UNAUTHORIZED',
    conn?.fingerprint
      ? `the certificate of ${who} is not the one pinned at login (${code})`
      : `the certificate of ${who} is not trusted (${code})`,
    {
      hint:
        "if the server's certificate was replaced on purpose, check its fingerprint with its admin " +
        `(\`slipway certs --platform\` on the server) and log in again: slipway login ${url.origin}`,
    },
  );
}

export interface PeerCertificate {
  /** Trusted by the public CAs for this host name. */
  authorized: boolean;
  reason?: string | undefined;
  fingerprint: string;
  subject: string;
  issuer: string;
  names: string[];
  validTo: string;
  pem: string;
}

/** Connects (sending nothing) and returns the certificate the server presents, trusted or not. */
export function fetchPeerCertificate(
  url: URL,
  address: string | undefined,
  timeoutMs = 10_000,
): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const port = Number(url.port || 443);
    const tls = tlsModule();
    const socket = tls.connect({
      host: address ?? url.hostname,
      port,
      servername: url.hostname,
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate(true);
      // What is pinned is the chain's root: the certificate itself when self-signed, else the private CA.
      let root = cert;
      for (let i = 0; i < 10 && root?.issuerCertificate && root.issuerCertificate !== root; i++)
        root = root.issuerCertificate;
      socket.end();
      if (!cert?.raw) return reject(new SlipwayError('INTERNAL', `${url.origin} presented no certificate`));
      const hostError = tls.checkServerIdentity(url.hostname, cert);
      const authorized = socket.authorized && !hostError;
      const b64 = cert.raw
        .toString('base64')
        .match(/.{1,64}/g)!
        .join('\n');
      resolve({
        authorized,
        reason: authorized ? undefined : String(socket.authorizationError ?? hostError?.message ?? 'untrusted'),
        fingerprint: cert.fingerprint256,
        subject: Object.entries(cert.subject ?? {})
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(', '),
        issuer: Object.entries(cert.issuer ?? {})
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(', '),
        names: (cert.subjectaltname ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.startsWith('DNS:'))
          .map((s) => s.slice(4)),
        validTo: cert.valid_to,
        pem: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`,
      });
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new SlipwayError('TIMEOUT', `${url.origin} did not complete a TLS handshake in ${timeoutMs / 1000} s`));
    });
    socket.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN'
          ? new SlipwayError('SERVER_UNAVAILABLE', `cannot reach ${url.origin} (${err.code})`, {
              hint: "check the URL; before DNS is set up, give the server's address with --address IP",
            })
          : err,
      ),
    );
  });
}
