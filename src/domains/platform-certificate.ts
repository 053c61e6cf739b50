import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { SlipwayError } from '../core/errors.js';
import type { SecretBox } from '../store/secret-box.js';
import { describeCertificate, inspectCertificatePair, type CertificateInfo } from './certificate.js';
import { certificateCovers } from './hostname.js';

export interface PlatformCertificateView extends CertificateInfo {
  /** The remote API host it is served for. */
  host: string;
  url: string;
  /** Slipway's own certificate (no `certs:add --platform` yet): clients pin its fingerprint on first login. */
  selfSigned: boolean;
}

export interface PlatformCertificateDeps {
  /** Undefined when the server has no remote API (SLIPWAY_API_HOST=off or no HTTPS port). */
  host: string | undefined;
  httpsPort: number;
  /** Where the given certificate and key are kept, sealed. */
  sealedFile: string;
  box: SecretBox;
  /** The PEM bundle HAProxy serves now (the given one or the self-signed one). */
  served: () => string;
  /** Makes HAProxy serve `pem`, or its self-signed certificate when undefined. */
  install: (pem: string | undefined) => Promise<void>;
  now?: () => Date;
}

/** The remote API's certificate: `certs:add --platform`, `certs --platform`, `certs:remove --platform`. */
export class PlatformCertificateService {
  /** One replacement at a time (HAProxy's set/commit transaction and the sealed file move together). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: PlatformCertificateDeps) {}

  /** The given certificate chain and key (PEM bundle), or undefined for the self-signed default. */
  given(): string | undefined {
    if (!existsSync(this.deps.sealedFile)) return undefined;
    return this.deps.box.open(readFileSync(this.deps.sealedFile, 'utf8').trim());
  }

  show(): PlatformCertificateView {
    const host = this.host();
    const info = describeCertificate(this.served());
    const port = this.deps.httpsPort === 443 ? '' : `:${this.deps.httpsPort}`;
    return { host, url: `https://${host}${port}`, selfSigned: !existsSync(this.deps.sealedFile), ...info };
  }

  /** Validates the pair (it must cover the API host), keeps it sealed and serves it; on failure nothing changes. */
  async add(certText: unknown, keyText: unknown): Promise<PlatformCertificateView> {
    const host = this.host();
    if (typeof certText !== 'string' || typeof keyText !== 'string')
      throw new SlipwayError('INVALID_INPUT', 'a certificate and a private key (PEM text) are required', {
        hint: 'slipway certs:add --platform CERT_FILE KEY_FILE',
      });
    const { info, pem } = inspectCertificatePair(certText, keyText, this.deps.now?.() ?? new Date());
    if (!certificateCovers(info.names, host))
      throw new SlipwayError('INVALID_INPUT', `the certificate does not cover the API host ${host}`, {
        hint: `it is for ${info.names.join(', ')}; use a certificate for ${host} (or set SLIPWAY_API_HOST)`,
        details: { certificateNames: info.names, apiHost: host },
      });
    return this.replace(`${pem.cert}${pem.key}`);
  }

  /** Back to Slipway's self-signed certificate. */
  async remove(): Promise<PlatformCertificateView> {
    this.host();
    if (!existsSync(this.deps.sealedFile))
      throw new SlipwayError('NOT_FOUND', 'the API host is already served its self-signed certificate', {
        hint: 'add one with: slipway certs:add --platform CERT_FILE KEY_FILE',
      });
    return this.replace(undefined);
  }

  /**
   * Keeps and serves `bundle` (undefined: the self-signed one); on failure exactly the certificate served
   * before is served again (the same bytes: clients that pinned it keep working).
   */
  private replace(bundle: string | undefined): Promise<PlatformCertificateView> {
    const run = this.queue.then(async () => {
      const previous = this.given();
      const served = this.served();
      this.write(bundle);
      try {
        await this.deps.install(bundle);
      } catch (err) {
        this.write(previous);
        await this.deps.install(previous ?? served).catch(() => undefined);
        throw err;
      }
      return this.show();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private served(): string {
    try {
      return this.deps.served();
    } catch (cause) {
      throw new SlipwayError('SERVER_UNAVAILABLE', "the API host's certificate file is missing", {
        cause,
        hint: 'restart the Slipway server: it makes the file again',
      });
    }
  }

  private host(): string {
    if (this.deps.host) return this.deps.host;
    throw new SlipwayError('INVALID_INPUT', 'this server has no remote API host', {
      hint: 'set SLIPWAY_API_HOST (default slipway.<SLIPWAY_DOMAIN>) and an HTTPS port, then restart the server',
    });
  }

  private write(bundle: string | undefined): void {
    if (bundle === undefined) return rmSync(this.deps.sealedFile, { force: true });
    writeFileSync(`${this.deps.sealedFile}.tmp`, this.deps.box.seal(bundle) + '\n', { mode: 0o600 });
    renameSync(`${this.deps.sealedFile}.tmp`, this.deps.sealedFile);
  }
}
