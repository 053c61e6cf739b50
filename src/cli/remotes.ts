import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SlipwayError } from '../core/errors.js';
import { parseRemotesFile } from './remotes-file.js';

/**
 * The servers this user logged in to (`slipway login`), kept in the user's config dir
 * (SLIPWAY_CONFIG_DIR, else $XDG_CONFIG_HOME/slipway, else ~/.config/slipway) as remotes.json, mode 600:
 * like ~/.netrc or ~/.docker/config.json, the token must be readable by the CLI, so only the file's
 * permissions protect it. The server keeps only its hash.
 */
export interface Remote {
  url: string;
  token: string;
  user: string;
  /** SHA-256 fingerprint of the certificate pinned at login (a certificate no public CA vouches for). */
  fingerprint?: string;
  /** The root of its chain (PEM; the certificate itself when self-signed), trusted for this remote only. */
  certificate?: string;
  /** Connect to this address instead of resolving the URL's host (like curl --resolve). */
  address?: string;
  /** The token was made by a password login: `logout` revokes it. */
  tokenId?: number;
}

export interface RemotesFile {
  current?: string;
  remotes: Record<string, Remote>;
}

/** The name `local` means this machine's server (SLIPWAY_HOME), never a saved remote. */
export const LOCAL = 'local';
export const REMOTE_NAME_RE = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['SLIPWAY_CONFIG_DIR']) return env['SLIPWAY_CONFIG_DIR'];
  const base = env['XDG_CONFIG_HOME'] || join(homedir(), '.config');
  return join(base, 'slipway');
}

function remotesPath(env?: NodeJS.ProcessEnv): string {
  return join(configDir(env), 'remotes.json');
}

export function readRemotes(env?: NodeJS.ProcessEnv): RemotesFile {
  const file = remotesPath(env);
  if (!existsSync(file)) return { remotes: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new SlipwayError('INVALID_INPUT', `${file} is not JSON`, {
      cause,
      hint: 'fix or remove it, then log in again: slipway login URL',
    });
  }
  const parsed = parseRemotesFile(raw);
  if (!parsed)
    throw new SlipwayError('INVALID_INPUT', `${file} is not a Slipway remotes file`, {
      hint: 'fix or remove it, then log in again: slipway login URL',
    });
  return parsed;
}

export function writeRemotes(data: RemotesFile, env?: NodeJS.ProcessEnv): void {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = remotesPath(env);
  writeFileSync(`${file}.tmp`, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
  chmodSync(`${file}.tmp`, 0o600);
  renameSync(`${file}.tmp`, file);
}

/** The remote a command runs against: --remote, else SLIPWAY_REMOTE, else `remotes:use`; undefined = local. */
export function selectedRemote(
  flagValue: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { name: string; remote: Remote } | undefined {
  const name = flagValue ?? (env['SLIPWAY_REMOTE'] || undefined);
  const data = readRemotes(env);
  const chosen = name ?? data.current;
  if (chosen === undefined || chosen === LOCAL) return undefined;
  const remote = data.remotes[chosen];
  if (!remote)
    throw new SlipwayError('NOT_FOUND', `no remote ${JSON.stringify(chosen.slice(0, 60))}`, {
      hint:
        Object.keys(data.remotes).length > 0
          ? `known remotes: ${Object.keys(data.remotes).join(', ')} (and local); see \`slipway remotes\``
          : 'log in first: slipway login https://slipway.example.com',
    });
  return { name: chosen, remote };
}

/** `SHA256:AB:CD:…` (the form `certs --platform` prints) from any spelling of a SHA-256 fingerprint. */
export function normalizeFingerprint(raw: string): string | undefined {
  const hex = raw
    .trim()
    .replace(/^sha-?256[:=]?/i, '')
    .replace(/[:\s]/g, '')
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(':');
}
