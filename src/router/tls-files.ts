import path from 'node:path';
import { validateAppName } from '../core/names.js';
import { validateHostname } from './haproxy-names.js';
import type { AppRoute } from './port.js';

/** The apps' certificates as HAProxy loads them: one PEM bundle per app, listed in a crt-list with SNI filters. */

export interface CertBundle {
  app: string;
  /** Absolute path of the PEM file; also the certificate's name in HAProxy's certificate store. */
  file: string;
  pem: string;
}

/** `<certsDir>/<app>.pem` */
export function certFile(certsDir: string, app: string): string {
  return path.join(certsDir, `${validateAppName(app)}.pem`);
}

/** Routes whose certificate is served (it covers at least one of the app's hosts), sorted by app. */
export function servedTls(routes: AppRoute[]): Array<AppRoute & { tls: NonNullable<AppRoute['tls']> }> {
  return routes
    .filter(
      (route): route is AppRoute & { tls: NonNullable<AppRoute['tls']> } =>
        route.tls !== undefined && route.tls.sniHosts.length > 0,
    )
    .sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
}

/** One crt-list line: the PEM file, then the SNI names it is served for (sorted). */
export function crtListLine(file: string, sniHosts: string[]): string {
  return [file, ...[...sniHosts].sort().map(validateHostname)].join(' ');
}

/** Renders the crt-list; `fileFor` names each app's PEM file. Pure. */
export function renderCrtList(routes: AppRoute[], fileFor: (app: string) => string): string {
  const lines = servedTls(routes).map((route) => crtListLine(fileFor(route.app), route.tls.sniHosts));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The PEM bundles to write (decrypted here, at the last moment). */
export function certBundles(routes: AppRoute[], certsDir: string): CertBundle[] {
  return servedTls(routes).map((route) => ({
    app: route.app,
    file: certFile(certsDir, route.app),
    pem: ensureNewline(route.tls.pem()),
  }));
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
