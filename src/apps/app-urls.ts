import type { Store } from '../store/store.js';
import { appHosts } from '../domains/app-hosts.js';
import { certificateCovers } from '../domains/hostname.js';

export interface AppUrl {
  url: string;
  host: string;
  scheme: 'http' | 'https';
}

export interface RouterPorts {
  domain: string;
  httpPort: number;
  /** 0 = no HTTPS. */
  httpsPort: number;
}

/** `http://host[:port]/` (no port for the scheme's default). */
function url(scheme: 'http' | 'https', host: string, port: number): string {
  const standard = (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443);
  return `${scheme}://${host}${standard ? '' : `:${port}`}/`;
}

/**
 * Where an app answers: every host over HTTP (its default host `<app>.<domain>` first), and over
 * HTTPS each host its certificate covers (when HTTPS is on). Pure.
 */
export function urlsFor(ports: RouterPorts, hosts: string[], certificateNames: string[] | undefined): AppUrl[] {
  const http = hosts.map((host): AppUrl => ({ url: url('http', host, ports.httpPort), host, scheme: 'http' }));
  const covered =
    ports.httpsPort === 0 || !certificateNames ? [] : hosts.filter((h) => certificateCovers(certificateNames, h));
  const https = covered.map((host): AppUrl => ({ url: url('https', host, ports.httpsPort), host, scheme: 'https' }));
  return [...https.filter((u) => u.host === hosts[0]), ...http, ...https.filter((u) => u.host !== hosts[0])];
}

/** The app's URLs from the store. */
export function appUrls(store: Store, ports: RouterPorts, app: string): AppUrl[] {
  return urlsFor(ports, appHosts(store, ports.domain, app), store.certificates.find(app)?.names);
}
