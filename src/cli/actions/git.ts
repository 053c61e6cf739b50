import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RemoteConnection } from '../remote-tls.js';
import { configDir } from '../remotes.js';
import { SlipwayError } from '../../core/errors.js';
import { validateAppName } from '../../core/names.js';
import { flag, has, requireApp } from '../args.js';
import { followOperation } from '../run-stream.js';
import { appAndBuild } from './builds.js';
import type { CommandRuns } from '../command.js';

const REMOTE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** The push URL of an app: the API's own base + /git/APP.git, or the SSH server on the API's host. */
export function gitRemoteUrl(apiBase: string, app: string, ssh: { port: number } | undefined): string {
  const base = new URL(apiBase);
  if (ssh) return `ssh://git@${base.hostname}:${ssh.port}/${app}.git`;
  return `${apiBase.replace(/\/$/, '')}/git/${app}.git`;
}

/**
 * A remote reached over HTTPS with a certificate pinned at login: git trusts that certificate (its chain's
 * root) for this URL only, and connects to the login's --address when one was given — both in the repo's own
 * git config, so a plain `git push` works.
 */
function trustForGit(conn: RemoteConnection | undefined, url: string, git: (...args: string[]) => unknown): void {
  const target = new URL(url);
  if (target.protocol !== 'https:' || !conn) return;
  const origin = `${target.origin}/`;
  if (conn.certificate && conn.name) {
    const dir = join(configDir(), 'certs');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, `${conn.name}.pem`);
    writeFileSync(file, conn.certificate, { mode: 0o600 });
    git('config', '--', `http.${origin}.sslCAInfo`, file);
  }
  if (conn.address) {
    const port = target.port || '443';
    git('config', '--', `http.${origin}.curloptResolve`, `${target.hostname}:${port}:${conn.address}`);
  }
}

export const runs = {
  async 'git:remote'(ctx) {
    const app = validateAppName(requireApp(ctx.args));
    const name = flag(ctx.args, 'name') ?? 'slipway';
    if (!REMOTE_NAME.test(name))
      throw new SlipwayError('INVALID_INPUT', `not a remote name: ${JSON.stringify(name.slice(0, 40))}`, {
        hint: '--name slipway',
      });
    const api = ctx.api();
    await api.json('GET', `/v1/apps/${encodeURIComponent(app)}`);
    let ssh: { port: number } | undefined;
    if (has(ctx.args, 'ssh')) {
      ssh = await api.json<{ port: number }>('GET', '/v1/ssh');
      if (ssh.port === 0)
        throw new SlipwayError('INVALID_INPUT', 'git push over SSH is off on this server (SLIPWAY_SSH_PORT=0)', {
          hint: 'push over HTTP (slipway git:remote without --ssh) or start the server with SLIPWAY_SSH_PORT set',
        });
    }
    const url = gitRemoteUrl(api.baseUrl, app, ssh);
    const git = (...args: string[]) => execFileSync('git', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      git('rev-parse', '--git-dir');
    } catch {
      throw new SlipwayError('INVALID_INPUT', 'the current directory is not in a git repository', {
        hint: 'git init, commit, then run this again',
      });
    }
    let existed = true;
    try {
      git('remote', 'get-url', '--', name);
    } catch {
      existed = false;
    }
    git('remote', existed ? 'set-url' : 'add', '--', name, url);
    if (!ssh) trustForGit(api.connection, url, git);
    if (ctx.json) return ctx.output.out(JSON.stringify({ name, url }, null, 2));
    ctx.output.out(`${existed ? 'changed' : 'added'} git remote ${name}: ${url}`);
    ctx.output.out(`push to deploy: git push ${name} main`);
  },
  async 'builds:attach'(ctx) {
    const { app, id } = appAndBuild(ctx.args, 'builds:attach');
    const result = (await followOperation(
      ctx,
      ctx.api().stream('GET', `/v1/apps/${encodeURIComponent(app)}/builds/${encodeURIComponent(id)}/events`),
    )) as { release?: number; build?: { status: string } } | undefined;
    if (ctx.json) return;
    if (result?.release !== undefined) ctx.output.out(`build ${id} finished: ${app} v${result.release} is live`);
    else ctx.output.out(`build ${id} ${result?.build?.status ?? 'finished'}`);
  },
} satisfies CommandRuns;
