import { SlipwayError } from '../core/errors.js';
import type { RouteTls } from '../router/port.js';
import type { Store } from '../store/store.js';
import { certificateCovers } from './hostname.js';

/** `<app>.<SLIPWAY_DOMAIN>`: every app's own host. */
export function defaultHost(app: string, domain: string): string {
  return `${app}.${domain}`.toLowerCase();
}

/** The hosts routed to an app: its default host, then its custom domains (sorted). */
export function appHosts(store: Store, domain: string, app: string): string[] {
  return [defaultHost(app, domain), ...store.domains.forApp(app).map((d) => d.host)];
}

/** The app's certificate as the router needs it, served for the app's hosts it covers; undefined without one. */
export function routeTls(store: Store, app: string, hosts: string[]): RouteTls | undefined {
  const cert = store.certificates.find(app);
  if (!cert) return undefined;
  return {
    id: cert.id,
    sniHosts: hosts.filter((host) => certificateCovers(cert.names, host)),
    pem: () => {
      const pem = store.certificates.pem(app);
      if (!pem) throw new SlipwayError('NOT_FOUND', `app "${app}" has no certificate any more`);
      return `${pem.cert}${pem.key}`;
    },
  };
}

/** The app name whose default host would be the remote API's host (`slipway` for slipway.<domain>). */
export function apiHostAppName(apiHost: string | undefined, domain: string): string | undefined {
  if (!apiHost || !apiHost.endsWith(`.${domain}`)) return undefined;
  const label = apiHost.slice(0, -(domain.length + 1));
  return label.includes('.') ? undefined : label;
}

/** INVALID_NAME when `name` is the one app name the remote API's host takes. */
export function assertNotApiHostName(name: string, reserved: string | undefined, apiHost: string | undefined): void {
  if (reserved !== undefined && name === reserved)
    throw new SlipwayError('INVALID_NAME', `the app name ${name} is taken: ${apiHost} is Slipway's API host`, {
      hint: 'choose another name (or move the API elsewhere with SLIPWAY_API_HOST and restart the server)',
    });
}
