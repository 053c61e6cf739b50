import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SlipwayError } from '../core/errors.js';
import { isSafeBranch } from './payload.js';

/** The longest a fetch of a pushed commit may take (default). */
export const DEFAULT_FETCH_TIMEOUT_MS = 5 * 60_000;

export interface GitCredentials {
  username: string;
  password: string;
}

export interface FetchRequest {
  /** The app's bare cache repository (made when missing). */
  repo: string;
  url: string;
  branch: string;
  commit: string;
  credentials?: GitCredentials;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * The askpass program git runs when a server asks for credentials: it prints the user name or password from the
 * environment of that one git process (never an argument, never the URL, never a file).
 */
const ASKPASS = `#!/bin/sh
case "$1" in
  Username*) printf '%s\\n' "$SLIPWAY_GIT_USERNAME" ;;
  *) printf '%s\\n' "$SLIPWAY_GIT_PASSWORD" ;;
esac
`;

/** Only the network protocols a clone URL may use (no file://, ext::, ssh with its options). */
const PROTOCOLS = ['http:', 'https:', 'git:'];

/** A clone URL from a payload, checked: http, https or git, no credentials in it, no option look-alike. */
export function checkCloneUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SlipwayError('INVALID_INPUT', 'the clone URL of the push is not a URL');
  }
  if (!PROTOCOLS.includes(url.protocol))
    throw new SlipwayError('INVALID_INPUT', `clone URLs over ${url.protocol.replace(':', '')} are not fetched`, {
      hint: 'Slipway fetches pushed commits over https, http or git',
    });
  if (url.username || url.password)
    throw new SlipwayError('INVALID_INPUT', 'the clone URL carries credentials; they are not used', {
      hint: 'keep them with slipway git:credentials:set -a APP --username USER --password-stdin',
    });
  return url.href;
}

/** Fetches `branch` from `url` into the cache repository and checks that `commit` is in what was fetched. */
export async function fetchCommit(req: FetchRequest): Promise<void> {
  const url = checkCloneUrl(req.url);
  if (!isSafeBranch(req.branch)) throw new SlipwayError('INVALID_INPUT', 'the branch name is not one Slipway fetches');
  if (!/^[0-9a-f]{40}$/.test(req.commit)) throw new SlipwayError('INVALID_INPUT', 'the commit is not a 40-hex id');
  const askpass = ensureRepo(req.repo);
  const timeoutMs = req.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const ref = 'refs/slipway/hook-fetch';
  const flags = [
    '-c',
    'protocol.allow=never',
    '-c',
    'protocol.https.allow=always',
    '-c',
    'protocol.http.allow=always',
    '-c',
    'protocol.git.allow=always',
    '-c',
    'credential.helper=',
    // A redirect would take the request, and the credentials asked for next, to another host.
    '-c',
    'http.followRedirects=false',
    '-c',
    `core.askPass=${askpass}`,
  ];
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: req.repo,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: askpass,
    SLIPWAY_GIT_USERNAME: req.credentials?.username ?? '',
    SLIPWAY_GIT_PASSWORD: req.credentials?.password ?? '',
  };
  await git(
    req.repo,
    [
      ...flags,
      'fetch',
      '--quiet',
      '--no-tags',
      '--no-recurse-submodules',
      '--force',
      '--',
      url,
      `+refs/heads/${req.branch}:${ref}`,
    ],
    {
      env,
      timeoutMs,
      signal: req.signal,
      what: `git fetch of ${req.branch} from ${url}`,
    },
  );
  // The pushed commit must be the fetched branch's tip or behind it (the branch may have moved on since).
  await git(req.repo, ['merge-base', '--is-ancestor', req.commit, ref], {
    env,
    timeoutMs: 30_000,
    signal: req.signal,
    what: `the pushed commit ${req.commit.slice(0, 12)} is not on ${req.branch} at ${url}`,
  });
}

/** Writes the commit's tree as a tar (what `deploy DIR` uploads). */
export async function archiveCommit(
  repo: string,
  commit: string,
  tarFile: string,
  signal?: AbortSignal,
): Promise<void> {
  if (!/^[0-9a-f]{40}$/.test(commit)) throw new SlipwayError('INVALID_INPUT', 'the commit is not a 40-hex id');
  await git(repo, ['archive', '--format=tar', '-o', tarFile, commit], {
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: repo,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
    },
    timeoutMs: 120_000,
    signal,
    what: `git archive of ${commit.slice(0, 12)}`,
  });
}

function ensureRepo(repo: string): string {
  const askpass = join(repo, 'slipway-askpass');
  if (!existsSync(join(repo, 'HEAD'))) {
    mkdirSync(repo, { recursive: true, mode: 0o700 });
  }
  if (!existsSync(askpass)) writeFileSync(askpass, ASKPASS, { mode: 0o700 });
  return askpass;
}

function git(
  repo: string,
  args: string[],
  opts: { env: Record<string, string>; timeoutMs: number; signal: AbortSignal | undefined; what: string },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const init = existsSync(join(repo, 'HEAD')) ? [] : [['init', '--bare', '--quiet']];
    const steps = [...init, args];
    const next = (): void => {
      const step = steps.shift();
      if (!step) return resolve();
      execFile(
        'git',
        ['--git-dir', repo, ...step],
        {
          env: opts.env,
          timeout: opts.timeoutMs,
          killSignal: 'SIGKILL',
          maxBuffer: 1024 * 1024,
          ...(opts.signal ? { signal: opts.signal } : {}),
        },
        (err, _stdout, stderr) => {
          if (!err) return next();
          const e = err as NodeJS.ErrnoException & { killed?: boolean };
          if (e.killed && !opts.signal?.aborted)
            return reject(new SlipwayError('TIMEOUT', `${opts.what}: no answer within ${opts.timeoutMs} ms`));
          const detail = String(stderr).trim().split('\n').slice(-3).join(' ').slice(0, 500);
          reject(new SlipwayError('BUILD_FAILED', `${opts.what} failed${detail ? `: ${detail}` : ''}`, { cause: err }));
        },
      );
    };
    next();
  });
}
