import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { runLoad, type LoadOptions } from './http-harness.js';

/** Test-only: HTTPS requests to the router on loopback with a chosen SNI name, and continuous HTTPS load. */

export interface HttpsReply {
  status: number;
  body: string;
  /** SHA-256 fingerprint of the certificate the server presented. */
  fingerprint256: string;
  /** Its subject CN. */
  cn: string;
  at: number;
}

export function httpsGet(
  port: number,
  host: string,
  opts: { agent?: https.Agent; path?: string; timeoutMs?: number; address?: string } = {},
): Promise<HttpsReply> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      {
        host: opts.address ?? '127.0.0.1',
        port,
        path: opts.path ?? '/',
        servername: host,
        headers: { host },
        // Self-signed test certificates: what was presented is checked by fingerprint instead.
        rejectUnauthorized: false,
        agent: opts.agent ?? false,
        timeout: opts.timeoutMs ?? 15_000,
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            fingerprint256: peer.fingerprint256 ?? '',
            cn: String(peer.subject?.CN ?? ''),
            at: Date.now(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
  });
}

/** Keep-alive and fresh-connection (full TLS handshake per request) loops until stopped. */
export function startHttpsLoad(opts: LoadOptions & { port: number; host: string }) {
  return runLoad(
    (agent) => httpsGet(opts.port, opts.host, agent ? { agent } : {}),
    () => new https.Agent({ keepAlive: true, maxSockets: 1 }),
    opts,
  );
}
