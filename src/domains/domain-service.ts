import { SlipwayError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { defaultHost } from './app-hosts.js';
import { normalizeHostname } from './hostname.js';

export interface DomainEntry {
  host: string;
  /** `default` is `<app>.<SLIPWAY_DOMAIN>` (always there); `custom` ones are added and removed. */
  kind: 'default' | 'custom';
  createdAt: string;
}

export interface DomainServiceDeps {
  store: Store;
  /** SLIPWAY_DOMAIN */
  domain: string;
  /** Makes the router match the store (hosts change at runtime, without a reload). */
  syncRouter: () => Promise<void>;
  now?: () => Date;
  /** The remote API's host: never an app's. */
  apiHost?: string | undefined;
}

/** Custom hostnames routed to an app next to `<app>.<SLIPWAY_DOMAIN>`: one app per host. */
export class DomainService {
  constructor(private readonly deps: DomainServiceDeps) {}

  list(appName: string): DomainEntry[] {
    const app = this.deps.store.apps.get(appName);
    const custom = this.deps.store.domains
      .forApp(app.name)
      .map((d): DomainEntry => ({ host: d.host, kind: 'custom', createdAt: d.createdAt }));
    return [{ host: defaultHost(app.name, this.deps.domain), kind: 'default', createdAt: app.createdAt }, ...custom];
  }

  async add(appName: string, input: unknown): Promise<DomainEntry> {
    const app = this.deps.store.apps.get(appName);
    const host = normalizeHostname(input);
    this.assertAvailable(app.name, host);
    const createdAt = (this.deps.now?.() ?? new Date()).toISOString();
    this.deps.store.domains.add({ host, app: app.name, createdAt });
    try {
      await this.deps.syncRouter();
    } catch (err) {
      this.deps.store.domains.remove(host);
      await this.deps.syncRouter().catch(() => undefined);
      throw err;
    }
    return { host, kind: 'custom', createdAt };
  }

  async remove(appName: string, input: unknown): Promise<{ host: string }> {
    const app = this.deps.store.apps.get(appName);
    const host = normalizeHostname(input);
    if (host === defaultHost(app.name, this.deps.domain)) {
      throw new SlipwayError('INVALID_INPUT', `${host} is ${app.name}'s default host and cannot be removed`, {
        hint: 'only hosts added with domains:add can be removed',
      });
    }
    const existing = this.deps.store.domains.find(host);
    if (!existing || existing.app !== app.name) {
      throw new SlipwayError('NOT_FOUND', `${host} is not a domain of app "${app.name}"`, {
        hint: `list its domains with: slipway domains -a ${app.name}`,
      });
    }
    this.deps.store.domains.remove(host);
    try {
      await this.deps.syncRouter();
    } catch (err) {
      this.deps.store.domains.add(existing);
      await this.deps.syncRouter().catch(() => undefined);
      throw err;
    }
    return { host };
  }

  /** A host belongs to one app; `<name>.<SLIPWAY_DOMAIN>` is reserved for the app called `name`. */
  private assertAvailable(app: string, host: string): void {
    const { domain, store } = this.deps;
    if (host === this.deps.apiHost)
      throw new SlipwayError('INVALID_INPUT', `${host} is Slipway's API host`, {
        hint: 'choose another host (or move the API with SLIPWAY_API_HOST and restart the server)',
      });
    if (host === defaultHost(app, domain)) {
      throw new SlipwayError('INVALID_INPUT', `${host} is already ${app}'s default host`, {
        hint: 'every app answers at <app>.<SLIPWAY_DOMAIN> without domains:add',
      });
    }
    const suffix = `.${domain}`;
    const label = host.endsWith(suffix) ? host.slice(0, -suffix.length) : undefined;
    if (label !== undefined && !label.includes('.')) {
      const owner = store.apps.find(label);
      throw new SlipwayError(
        owner ? 'APP_EXISTS' : 'INVALID_INPUT',
        `${host} is ${owner ? `the default host of app "${label}"` : `reserved for an app named "${label}"`}`,
        {
          hint:
            `hosts of the form <app>.${domain} belong to the app ` +
            'of that name; use another host (e.g. www.example.com)',
        },
      );
    }
    const taken = store.domains.find(host);
    if (taken && taken.app === app) {
      throw new SlipwayError('INVALID_INPUT', `${host} is already a domain of app "${app}"`, {
        hint: `list its domains with: slipway domains -a ${app}`,
      });
    }
    if (taken) {
      throw new SlipwayError('APP_EXISTS', `${host} is already routed to app "${taken.app}"`, {
        hint:
          'a host belongs to one app: remove it there first with ' +
          `\`slipway domains:remove -a ${taken.app} ${host}\``,
        details: { host, app: taken.app },
      });
    }
  }
}
