import { createHash } from 'node:crypto';
import type { Db } from './database.js';
import type { SecretBox } from './secret-box.js';

/** What is known about an app's certificate without decrypting anything. */
export interface StoredCertificate {
  app: string;
  /** DNS names the certificate is valid for (SANs, else the subject CN). */
  names: string[];
  notAfter: string | null;
  createdAt: string;
  /** Changes whenever a certificate is stored for the app (a hash of the sealed columns). */
  id: string;
}

export interface CertificatePem {
  cert: string;
  key: string;
}

interface Row {
  app: string;
  cert_pem_enc: string;
  key_pem_enc: string;
  hosts_json: string;
  not_after: string | null;
  created_at: string;
}

/**
 * One TLS certificate per app. The PEM texts are sealed with the store's SecretBox; the key never leaves decrypted
 * except through `pem`.
 */
export class CertificateRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  find(app: string): StoredCertificate | undefined {
    const row = this.db.prepare('SELECT * FROM certificates WHERE app = ?').get(app) as Row | undefined;
    return row ? toStored(row) : undefined;
  }

  all(): StoredCertificate[] {
    return (this.db.prepare('SELECT * FROM certificates ORDER BY app').all() as Row[]).map(toStored);
  }

  /** Decrypted PEM texts (certificate chain and private key). */
  pem(app: string): CertificatePem | undefined {
    const row = this.db.prepare('SELECT cert_pem_enc, key_pem_enc FROM certificates WHERE app = ?').get(app) as
      Pick<Row, 'cert_pem_enc' | 'key_pem_enc'> | undefined;
    return row ? { cert: this.box.open(row.cert_pem_enc), key: this.box.open(row.key_pem_enc) } : undefined;
  }

  put(app: string, pem: CertificatePem, meta: { names: string[]; notAfter: string; createdAt: string }): void {
    this.db
      .prepare(
        'INSERT INTO certificates (app, cert_pem_enc, key_pem_enc, hosts_json, not_after, created_at) ' +
          `VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(app) DO UPDATE SET cert_pem_enc = excluded.cert_pem_enc, key_pem_enc = excluded.key_pem_enc,
           hosts_json = excluded.hosts_json, not_after = excluded.not_after, created_at = excluded.created_at`,
      )
      .run(
        app,
        this.box.seal(pem.cert),
        this.box.seal(pem.key),
        JSON.stringify(meta.names),
        meta.notAfter,
        meta.createdAt,
      );
  }

  remove(app: string): void {
    this.db.prepare('DELETE FROM certificates WHERE app = ?').run(app);
  }
}

function toStored(row: Row): StoredCertificate {
  const id = createHash('sha256')
    .update(row.cert_pem_enc)
    .update('\n')
    .update(row.key_pem_enc)
    .digest('hex')
    .slice(0, 16);
  return {
    app: row.app,
    names: JSON.parse(row.hosts_json) as string[],
    notAfter: row.not_after,
    createdAt: row.created_at,
    id,
  };
}
