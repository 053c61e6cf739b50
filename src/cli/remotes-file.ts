import type { Remote, RemotesFile } from './remotes.js';

/*
 * remotes.json checked by hand rather than with zod: every CLI command reads this file, and loading
 * zod alone takes the CLI ~60 ms at start (issue 12). The rules are the zod schema's this replaced
 * (remotes-file.test.ts runs both on the same inputs): the listed fields with their types and
 * lengths, other fields dropped, `url` a URL (trimmed, as zod's url() keeps it).
 */

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function text(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

/** Copies the optional string fields that are present; false when one is not a string of at most `max`. */
function optionalTexts(from: Fields, to: Fields, limits: Record<string, number>): boolean {
  for (const [key, max] of Object.entries(limits)) {
    if (!(key in from)) continue;
    if (from[key] !== undefined && !text(from[key], 0, max)) return false;
    to[key] = from[key];
  }
  return true;
}

function parseRemote(raw: unknown): Remote | undefined {
  if (!isObject(raw) || typeof raw['url'] !== 'string') return undefined;
  const url = raw['url'].trim();
  if (!URL.canParse(url) || !text(raw['token'], 1, 500) || !text(raw['user'], 0, 100)) return undefined;
  const remote: Fields = { url: url.replace(/[\t\n\r]/g, ''), token: raw['token'], user: raw['user'] };
  if (!optionalTexts(raw, remote, { fingerprint: 200, certificate: 100_000, address: 100 })) return undefined;
  if ('tokenId' in raw) {
    const id = raw['tokenId'];
    if (id !== undefined && !Number.isSafeInteger(id)) return undefined;
    remote['tokenId'] = id;
  }
  return remote as unknown as Remote;
}

/** The file's content when it is a Slipway remotes file, else undefined. */
export function parseRemotesFile(raw: unknown): RemotesFile | undefined {
  if (!isObject(raw)) return undefined;
  const file: Fields = {};
  if (!optionalTexts(raw, file, { current: 100 })) return undefined;
  const remotes = raw['remotes'] === undefined ? {} : raw['remotes'];
  if (!isObject(remotes)) return undefined;
  const parsed: [string, Remote][] = [];
  for (const [name, value] of Object.entries(remotes)) {
    const remote = parseRemote(value);
    if (!remote) return undefined;
    parsed.push([name, remote]);
  }
  file['remotes'] = Object.fromEntries(parsed);
  return file as unknown as RemotesFile;
}
