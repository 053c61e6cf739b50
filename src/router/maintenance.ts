import path from 'node:path';
import { createHash } from 'node:crypto';
import { SlipwayError } from '../core/errors.js';
import { validateAppName } from '../core/names.js';
import type { AppRoute } from './port.js';
import type { MapEntry } from './runtime-hosts.js';

/**
 * Maintenance mode in HAProxy. Every app backend starts with one rule: while the app's name is a key
 * of the maintenance map, HAProxy itself answers 503 with `Retry-After` (the map's value) and the
 * app's page or Slipway's, before any server is picked. The servers stay in the backend, checked and
 * ready. Turning it on or off, or changing Retry-After, is `add/set/del map` on the running HAProxy
 * (no reload); the map file is rendered from the store, so a reload or restart keeps the state.
 */

/** Where the maintenance map and the apps' own pages live (inside HAProxy's state dir). */
export interface MaintenanceFiles {
  maintenanceMap: string;
  maintenanceDir: string;
}

export interface RouteMaintenance {
  /** In maintenance now (the app's name is in the map). */
  enabled: boolean;
  retryAfterSec: number;
  /** The app's own page, else Slipway's. HAProxy loads page files when it (re)loads its config. */
  page?: MaintenancePage | undefined;
}

export interface MaintenancePage {
  /** Changes with the content (a hash): a new page is a new file, and a reload. */
  id: string;
  html: string;
}

/**
 * Largest page: HAProxy answers `http-request return` from one buffer (tune.bufsize, 16 KiB by
 * default; measured: a 20,000-byte file is refused by `haproxy -c`), the headers need some of it.
 */
export const MAX_MAINTENANCE_PAGE_BYTES = 12 * 1024;
/** Retry-After when none is given, and the largest accepted. */
export const DEFAULT_RETRY_AFTER_SEC = 60;
export const MAX_RETRY_AFTER_SEC = 7 * 24 * 3600;

/** Checks a page given by the user and gives it its id; refused (INVALID_INPUT) when HAProxy could not serve it. */
export function maintenancePage(html: string): MaintenancePage {
  const bytes = Buffer.byteLength(html, 'utf8');
  if (bytes === 0 || html.trim() === '')
    throw new SlipwayError('INVALID_INPUT', 'the maintenance page is empty', {
      hint: 'give an HTML file: slipway maintenance:on -a APP --page maintenance.html',
    });
  if (bytes > MAX_MAINTENANCE_PAGE_BYTES)
    throw new SlipwayError(
      'INVALID_INPUT',
      `the maintenance page is ${bytes} bytes; HAProxy serves pages up to ${MAX_MAINTENANCE_PAGE_BYTES}`,
      { hint: 'keep the page small: inline CSS, link images from elsewhere' },
    );
  if (html.includes('\u0000') || html.includes('\ufffd'))
    throw new SlipwayError('INVALID_INPUT', 'the maintenance page is not UTF-8 text', {
      hint: 'save the page as UTF-8 HTML (no NUL bytes)',
    });
  return { id: createHash('sha256').update(html).digest('hex').slice(0, 16), html };
}

export function validateRetryAfter(sec: number): number {
  if (!Number.isInteger(sec) || sec < 0 || sec > MAX_RETRY_AFTER_SEC)
    throw new SlipwayError('INVALID_INPUT', `Retry-After must be 0 s to 7 days in whole seconds, not ${sec}`, {
      hint: 'e.g. --retry-after 2m',
    });
  return sec;
}

/** `<dir>/<app>-<id>.html`: the file HAProxy reads the app's page from. */
export function pageFile(dir: string, app: string, page: MaintenancePage): string {
  if (!/^[0-9a-f]{16}$/.test(page.id)) throw new SlipwayError('INTERNAL', 'invalid maintenance page id');
  return path.join(dir, `${validateAppName(app)}-${page.id}.html`);
}

/** The page files `routes` need, by path. */
export function pageFiles(routes: AppRoute[], dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const route of routes)
    if (route.maintenance?.page)
      files.set(pageFile(dir, route.app, route.maintenance.page), route.maintenance.page.html);
  return files;
}

/** The map's entries: the apps in maintenance, each with its Retry-After in seconds. */
export function maintenanceEntries(routes: AppRoute[]): MapEntry[] {
  return routes
    .filter((route) => route.maintenance?.enabled)
    .map((route) => ({
      key: validateAppName(route.app),
      value: String(validateRetryAfter(route.maintenance!.retryAfterSec)),
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function renderMaintenanceMap(routes: AppRoute[]): string {
  const lines = maintenanceEntries(routes).map((entry) => `${entry.key} ${entry.value}`);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The backend's first rule: a 503 of its own while the app is in the map. */
export function maintenanceRule(route: AppRoute, files: MaintenanceFiles): string {
  const app = validateAppName(route.app);
  const inMap = `str(${app}),map(${files.maintenanceMap})`;
  const page = route.maintenance?.page;
  const body = page ? `file ${pageFile(files.maintenanceDir, app, page)}` : `string "${slipwayPage(app)}"`;
  return (
    `http-request return status 503 content-type "text/html; charset=utf-8" ${body} ` +
    `hdr Retry-After "%[${inMap}]" hdr Cache-Control no-store if { ${inMap} -m found }`
  );
}

/** Slipway's page (no double quotes or backslashes: it sits in a quoted HAProxy string). */
function slipwayPage(app: string): string {
  return [
    "<!doctype html><html><head><meta charset='utf-8'><title>Down for maintenance</title></head>",
    "<body style='font-family:sans-serif;max-width:40em;margin:4em auto'>",
    `<h1>${app} is down for maintenance</h1>`,
    '<p>It will be back shortly. Please try again in a few minutes.</p>',
    '</body></html>',
  ].join('');
}
