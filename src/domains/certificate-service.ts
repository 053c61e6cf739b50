import { SlipwayError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import type { CertificatePem } from '../store/certificate-repository.js';
import { appHosts } from './app-hosts.js';
import { describeCertificate, inspectCertificatePair, type CertificateInfo } from './certificate.js';
import { certificateCovers } from './hostname.js';

export interface CertificateView extends CertificateInfo {
  app: string;
  /** The app's hosts it is served for on the HTTPS port (SNI). */
  hosts: string[];
  /** The app's hosts it does not cover (served the default certificate). */
  uncoveredHosts: string[];
  createdAt: string;
}

export interface CertificateServiceDeps {
  store: Store;
  domain: string;
  syncRouter: () => Promise<void>;
  now?: () => Date;
}

/** One TLS certificate per app, served for the app's hosts it covers; installed without a reload. */
export class CertificateService {
  constructor(private readonly deps: CertificateServiceDeps) {}

  /** The app's certificate, or undefined. Never includes the private key. */
  show(appName: string): CertificateView | undefined {
    const app = this.deps.store.apps.get(appName);
    const stored = this.deps.store.certificates.find(app.name);
    const pem = stored && this.deps.store.certificates.pem(app.name);
    if (!stored || !pem) return undefined;
    const info = describeCertificate(pem.cert);
    const hosts = appHosts(this.deps.store, this.deps.domain, app.name);
    const covered = hosts.filter((host) => certificateCovers(info.names, host));
    return {
      app: app.name,
      ...info,
      hosts: covered,
      uncoveredHosts: hosts.filter((h) => !covered.includes(h)),
      createdAt: stored.createdAt,
    };
  }

  /** Validates the pair, stores it (key sealed) and installs it; on failure nothing changes. */
  async add(appName: string, certText: unknown, keyText: unknown): Promise<CertificateView> {
    const app = this.deps.store.apps.get(appName);
    if (typeof certText !== 'string' || typeof keyText !== 'string') {
      throw new SlipwayError('INVALID_INPUT', 'a certificate and a private key (PEM text) are required', {
        hint: 'slipway certs:add -a APP CERT_FILE KEY_FILE',
      });
    }
    const now = this.deps.now?.() ?? new Date();
    const { info, pem } = inspectCertificatePair(certText, keyText, now);
    const hosts = appHosts(this.deps.store, this.deps.domain, app.name);
    if (!hosts.some((host) => certificateCovers(info.names, host))) {
      throw new SlipwayError('INVALID_INPUT', `the certificate covers none of ${app.name}'s hosts`, {
        hint:
          `it is for ${info.names.join(', ')}; add one of those first with \`slipway ` +
          `domains:add -a ${app.name} HOST\`, or use a certificate for ${hosts.join(', ')}`,
        details: { certificateNames: info.names, appHosts: hosts },
      });
    }
    const previous = this.snapshot(app.name);
    this.deps.store.certificates.put(app.name, pem, {
      names: info.names,
      notAfter: info.notAfter,
      createdAt: now.toISOString(),
    });
    await this.syncOrRestore(app.name, previous);
    return this.show(app.name)!;
  }

  async remove(appName: string): Promise<{ removed: true }> {
    const app = this.deps.store.apps.get(appName);
    const previous = this.snapshot(app.name);
    if (!previous)
      throw new SlipwayError('NOT_FOUND', `app "${app.name}" has no certificate`, {
        hint: `add one with: slipway certs:add -a ${app.name} CERT_FILE KEY_FILE`,
      });
    this.deps.store.certificates.remove(app.name);
    await this.syncOrRestore(app.name, previous);
    return { removed: true };
  }

  private snapshot(
    app: string,
  ): { pem: CertificatePem; names: string[]; notAfter: string; createdAt: string } | undefined {
    const stored = this.deps.store.certificates.find(app);
    const pem = this.deps.store.certificates.pem(app);
    return stored && pem
      ? { pem, names: stored.names, notAfter: stored.notAfter ?? '', createdAt: stored.createdAt }
      : undefined;
  }

  private async syncOrRestore(app: string, previous: ReturnType<CertificateService['snapshot']>): Promise<void> {
    try {
      await this.deps.syncRouter();
    } catch (err) {
      if (previous) this.deps.store.certificates.put(app, previous.pem, previous);
      else this.deps.store.certificates.remove(app);
      await this.deps.syncRouter().catch(() => undefined);
      throw err;
    }
  }
}
