import { domainToASCII } from 'node:url';
import { SlipwayError } from '../core/errors.js';

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const HINT =
  'give a hostname such as "www.example.com": lowercase DNS labels separated ' +
  'by dots, no scheme, port, path or wildcard';

/**
 * A custom hostname as Slipway stores and routes it: lowercase ASCII (IDNs become punycode), no
 * trailing dot, no port, at least two DNS labels, not an IP address. Throws INVALID_INPUT otherwise.
 */
export function normalizeHostname(input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '') throw invalid(input, 'a hostname is required');
  let host = input.trim().toLowerCase().replace(/\.$/, '');
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(host) || host.includes('/'))
    throw invalid(input, 'give the hostname only, without scheme or path');
  if (host.includes(':')) throw invalid(input, "a hostname has no port: HTTP and HTTPS ports are the router's");
  if (host.includes('*')) throw invalid(input, 'wildcard hostnames are not supported; add each hostname');
  if (/[^\x00-\x7f]/.test(host)) {
    const ascii = domainToASCII(host);
    if (ascii === '') throw invalid(input, 'not a valid international domain name');
    host = ascii;
  }
  const labels = host.split('.');
  if (host.length > 253 || labels.length < 2 || !labels.every((label) => LABEL.test(label))) throw invalid(input);
  if (/^\d+$/.test(labels.at(-1)!)) throw invalid(input, 'IP addresses cannot be app domains; use a hostname');
  return host;
}

/** Whether a certificate valid for `names` (exact names or `*.` wildcards of one label) covers `host`. */
export function certificateCovers(names: string[], host: string): boolean {
  return names.some((name) => {
    if (name === host) return true;
    if (!name.startsWith('*.')) return false;
    const dot = host.indexOf('.');
    return dot > 0 && host.slice(dot + 1) === name.slice(2);
  });
}

function invalid(input: unknown, why?: string): SlipwayError {
  const shown = typeof input === 'string' ? JSON.stringify(input.slice(0, 300)) : String(input);
  return new SlipwayError('INVALID_INPUT', `invalid hostname ${shown}${why ? `: ${why}` : ''}`, { hint: HINT });
}
