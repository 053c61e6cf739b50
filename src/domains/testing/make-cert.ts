import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Test-only: self-signed certificates made locally with `openssl` (no network). */

export interface TestCert {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface TestCertOptions {
  cn: string;
  /** DNS subject alternative names (none: the CN only). */
  sans?: string[];
  days?: number;
  /** Valid in January 2020 only. */
  expired?: boolean;
}

let counter = 0;

export function makeTestCert(dir: string, opts: TestCertOptions): TestCert {
  const base = path.join(dir, `cert-${process.pid}-${++counter}`);
  const certFile = `${base}.crt`;
  const keyFile = `${base}.key`;
  const newKey = [
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-subj',
    `/CN=${opts.cn}`,
  ];
  const san = opts.sans?.length ? ['-addext', `subjectAltName=${opts.sans.map((s) => `DNS:${s}`).join(',')}`] : [];
  if (!opts.expired) {
    run(['req', '-x509', ...newKey, ...san, '-days', String(opts.days ?? 30), '-out', certFile]);
  } else {
    // `req -x509` cannot backdate: sign the request with `openssl ca -selfsign` and explicit dates.
    const ca = `${base}-ca`;
    mkdirSync(ca);
    writeFileSync(path.join(ca, 'index.txt'), '');
    const conf = path.join(ca, 'ca.cnf');
    writeFileSync(
      conf,
      `[ca]\ndefault_ca=d\n[d]\ndatabase=${ca}/index.txt\nnew_certs_dir=${ca}\n` +
        `default_md=sha256\npolicy=p\nrand_serial=yes\n[p]\ncommonName=supplied\n`,
    );
    run(['req', '-new', ...newKey, '-out', `${base}.csr`]);
    run([
      'ca',
      '-batch',
      '-config',
      conf,
      '-selfsign',
      '-keyfile',
      keyFile,
      '-in',
      `${base}.csr`,
      '-out',
      certFile,
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20200201000000Z',
      '-notext',
    ]);
  }
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

function run(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
