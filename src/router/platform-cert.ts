import { readFile, rename, writeFile } from 'node:fs/promises';
import { validateHostname } from './haproxy-names.js';
import { makeSelfSigned, stillValid } from './default-cert.js';

/** The subject of the certificate Slipway makes for the API host when none was given. */
export const SELF_SIGNED_ORG = 'Slipway self-signed';

/**
 * Writes the certificate HAProxy serves for the remote API host: the given PEM bundle (certs:add --platform),
 * or else a self-signed one for `host` (kept while it is Slipway's own, for this host, and valid). Returns the
 * bundle now in the file.
 */
export async function ensurePlatformCertificate(
  file: string,
  host: string,
  given: string | undefined,
  now = new Date(),
): Promise<string> {
  if (given !== undefined) {
    const bundle = given.endsWith('\n') ? given : `${given}\n`;
    if ((await readFile(file, 'utf8').catch(() => '')) !== bundle) {
      await writeFile(`${file}.tmp`, bundle, { mode: 0o600 });
      await rename(`${file}.tmp`, file);
    }
    return bundle;
  }
  const current = await stillValid(file, now);
  const ours = current?.subject.includes(`O=${SELF_SIGNED_ORG}`) && current.checkHost(host) !== undefined;
  if (!ours) {
    await makeSelfSigned(file, { subject: `/O=${SELF_SIGNED_ORG}/CN=${validateHostname(host)}`, dnsName: host });
  }
  return readFile(file, 'utf8');
}
