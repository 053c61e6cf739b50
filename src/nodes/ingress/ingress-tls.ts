import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { ensureCa, issueLeaf } from '../../registry/registry-tls.js';
import { AGENT_CN, MANAGER_CN } from '../../router/ingress/ingress-wire.js';

/**
 * The two certificates of the ingress channel, from a CA Slipway makes for it: the agents'
 * (CN slipway-ingress, server only) and the manager's (CN slipway-manager, client only). An agent serves
 * only the manager's; a certificate of one cannot be used as the other (extended key usage and CN).
 */
export interface IngressTls {
  ca: string;
  agent: { cert: string; key: string };
  manager: { cert: string; key: string };
}

const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/** Under `dir`: a CA of the channel's own (`ca/`), the agents' and the manager's certificates. */
export async function ensureIngressTls(dir: string): Promise<IngressTls> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = await ensureCa(path.join(dir, 'ca'));
  const caPem = await readFile(ca.caFile, 'utf8');
  const pair = async (name: string, cn: string, usage: 'serverAuth' | 'clientAuth') => {
    const files = { certFile: path.join(dir, `${name}.crt`), keyFile: path.join(dir, `${name}.key`) };
    if (!(await stillValid(files.certFile, caPem)))
      await issueLeaf(
        ca,
        files,
        cn,
        [
          'basicConstraints=critical,CA:FALSE',
          'keyUsage=critical,digitalSignature,keyEncipherment',
          `extendedKeyUsage=${usage}`,
          '',
        ].join('\n'),
      );
    return { cert: await readFile(files.certFile, 'utf8'), key: await readFile(files.keyFile, 'utf8') };
  };
  return {
    ca: caPem,
    agent: await pair('agent', AGENT_CN, 'serverAuth'),
    manager: await pair('manager', MANAGER_CN, 'clientAuth'),
  };
}

/** Signed by this CA (it may have been made anew) and not about to expire. */
async function stillValid(certFile: string, caPem: string): Promise<boolean> {
  if (!existsSync(certFile)) return false;
  try {
    const cert = new X509Certificate(await readFile(certFile));
    const ca = new X509Certificate(caPem);
    return cert.verify(ca.publicKey) && Date.parse(cert.validTo) - Date.now() > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}
