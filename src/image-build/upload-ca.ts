import { SlipwayError } from '../core/errors.js';
import { assertPemCertificates, MAX_CA_CERT_BYTES } from '../analyze/build-options.js';
import { listInside, lstatInside, readTextInside, removeInside } from './safe-path.js';

/**
 * `deploy --ca-cert FILE` ships the certificate inside the uploaded tar, as this reserved entry the
 * CLI adds (never in a query parameter or header). The directory is Slipway's: a user directory that
 * already has it is refused by the CLI, and an upload with anything else there is refused here.
 */
export const RESERVED_DIR = '.slipway-build';
export const UPLOAD_CA_ENTRY = `${RESERVED_DIR}/ca.crt`;

function reserved(problem: string): SlipwayError {
  return new SlipwayError(
    'INVALID_INPUT',
    `the upload's ${RESERVED_DIR}/ ${problem}; that directory is reserved for Slipway`,
    {
      hint: `rename ${RESERVED_DIR} in your directory; pass an extra CA certificate with --ca-cert FILE`,
      details: { path: RESERVED_DIR },
    },
  );
}

/**
 * Takes the uploaded CA certificate out of an extracted source (validated: PEM certificates only),
 * removes the reserved directory so it never reaches a build context, and updates `files`.
 */
export async function takeUploadedCaCert(srcDir: string, files: Set<string>): Promise<string | undefined> {
  const top = await lstatInside(srcDir, RESERVED_DIR);
  if (!top) return undefined;
  if (!top.isDirectory()) throw reserved('is not a directory');
  const entries = await listInside(srcDir, RESERVED_DIR);
  if (entries.some((e) => e.name !== 'ca.crt'))
    throw reserved(
      `holds ${entries
        .filter((e) => e.name !== 'ca.crt')
        .map((e) => e.name)
        .slice(0, 3)
        .join(', ')}`,
    );
  let pem: string | undefined;
  if (entries.length > 0) {
    if (!(await lstatInside(srcDir, UPLOAD_CA_ENTRY))?.isFile()) throw reserved('ca.crt is not a regular file');
    pem = await readTextInside(srcDir, UPLOAD_CA_ENTRY, {
      maxBytes: MAX_CA_CERT_BYTES,
      what: 'the uploaded directory',
    });
    assertPemCertificates(pem ?? '', 'the --ca-cert file');
  }
  await removeInside(srcDir, RESERVED_DIR);
  for (const file of [...files]) if (file.startsWith(`${RESERVED_DIR}/`)) files.delete(file);
  return pem;
}
