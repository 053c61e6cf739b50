import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join, normalize, sep } from 'node:path';

export interface GitHttpServer {
  /** The repository's clone URL (`http://127.0.0.1:PORT/NAME.git`). */
  url: string;
  /** The paths git asked for, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serves one bare repository over git's dumb HTTP protocol (its files, after `git update-server-info`) on
 * loopback, only to clients with the Basic credentials given. Test-only: nothing outside the repository is served.
 */
export async function serveGitRepo(bare: string, auth: { username: string; password: string }): Promise<GitHttpServer> {
  const name = basename(bare);
  const root = dirname(bare);
  const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.headers['authorization'] !== expected) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' });
      return res.end();
    }
    const rel = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(/^\/+/, '');
    const file = join(root, rel);
    if (!file.startsWith(bare + sep) || rel.includes('..')) return res.writeHead(403).end();
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/${name}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Git with no user or system config (the test's commits do not depend on the machine's). */
export function cleanGit(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
}

/** Makes a work repository at `dir` (branch main, a test identity) and an empty bare one at `bare`. */
export function initRepos(dir: string, bare: string): void {
  execFileSync('git', ['init', '-q', '--bare', bare]);
  cleanGit(dir, 'init', '-q', '-b', 'main');
  cleanGit(dir, 'config', 'user.email', 'test@slipway.test');
  cleanGit(dir, 'config', 'user.name', 'test');
}

/** Pushes `branch` of the work repository to the bare one and refreshes what dumb HTTP serves; returns its commit. */
export function publish(dir: string, bare: string, branch: string): string {
  cleanGit(dir, 'push', '-q', '--force', bare, `${branch}:${branch}`);
  execFileSync('git', ['--git-dir', bare, 'update-server-info']);
  return cleanGit(dir, 'rev-parse', branch);
}
