import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import { SlipwayError, toSlipwayError } from '../core/errors.js';
import type { AuthPrincipal } from '../auth/auth-service.js';
import type { User } from '../store/user-repository.js';
import type { GitRepos } from './git-repos.js';
import type { PushGate } from './push-gate.js';
import type { SshKeyService } from './ssh-keys.js';
import { parseGitCommand } from './ssh-command.js';
import { listen, UPLOAD_REQUEST_TIMEOUT_MS } from '../server/http-server.js';

export interface SshGitDeps {
  keys: SshKeyService;
  repos: GitRepos;
  gate: PushGate;
  authorize(p: AuthPrincipal, method: string, path: string, query: URLSearchParams): void;
  assertApp(app: string): void;
  audit(p: AuthPrincipal, path: string, status: number, code: string | undefined, source: string | undefined): void;
}

/** The host key, made once (ed25519, OpenSSH format, mode 600) under the state dir. */
export function hostKey(file: string): Buffer {
  if (!existsSync(file)) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    writeFileSync(file, pair.private, { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file);
}

/** A key's user acting as themselves, as a full token of theirs would (their role and app access still apply). */
function keyPrincipal(user: User, keyName: string): AuthPrincipal {
  return {
    user,
    token: {
      id: 0,
      user: user.name,
      name: `ssh key ${keyName}`,
      app: null,
      scope: 'admin',
      prefix: 'ssh',
      createdAt: '',
      expiresAt: null,
      revokedAt: null,
      lastUsedAt: null,
    },
  };
}

/**
 * git over SSH: public-key auth against users' keys, then only `git-receive-pack '<app>.git'` or
 * `git-upload-pack '<app>.git'`, parsed strictly and run with a fixed argv (no shell, no pty, no forwarding).
 */
export function createSshGitServer(deps: SshGitDeps, hostKeyPem: Buffer): ssh2.Server {
  return new ssh2.Server({ hostKeys: [hostKeyPem], ident: 'Slipway' }, (client, info) => {
    let principal: AuthPrincipal | undefined;
    client.on('error', () => undefined);
    // A connection that does not authenticate within a minute is closed.
    const authLimit = setTimeout(() => client.end(), 60_000);
    authLimit.unref();
    client.on('ready', () => clearTimeout(authLimit));
    client.on('close', () => clearTimeout(authLimit));
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
      const found = deps.keys.owner(ctx.key.data);
      if (!found) return ctx.reject(['publickey']);
      const parsed = ssh2.utils.parseKey(found.key.publicKey);
      if (parsed instanceof Error || Array.isArray(parsed) || parsed.type !== ctx.key.algo)
        return ctx.reject(['publickey']);
      if (ctx.signature && ctx.blob && parsed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true)
        return ctx.reject(['publickey']);
      if (ctx.signature) principal = keyPrincipal(found.user, found.key.name);
      ctx.accept();
    });
    client.on('session', (accept) => {
      const session = accept();
      session.on('exec', (acceptExec, _reject, request) => {
        const stream = acceptExec();
        const fail = (err: unknown, path = '/git') => {
          const e = toSlipwayError(err);
          if (principal) deps.audit(principal, path, e.code === 'FORBIDDEN' ? 403 : 400, e.code, info.ip);
          stream.stderr.write(`slipway: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ''}`);
          stream.exit(1);
          stream.end();
        };
        let path = '/git';
        try {
          if (!principal) throw new SlipwayError('UNAUTHORIZED', 'not authenticated');
          const { service, app } = parseGitCommand(request.command);
          path = `/git/${app}.git/${service}`;
          deps.authorize(principal, 'POST', path, new URLSearchParams());
          deps.assertApp(app);
          const p = principal;
          void deps.repos.ensure(app).then(
            (repo) => run(deps, stream, p, service, app, repo, path, info.ip),
            (err: unknown) => fail(err, path),
          );
        } catch (err) {
          fail(err, path);
        }
      });
    });
  });
}

function run(
  deps: SshGitDeps,
  stream: ssh2.ServerChannel,
  principal: AuthPrincipal,
  service: 'git-receive-pack' | 'git-upload-pack',
  app: string,
  repo: string,
  path: string,
  source: string,
): void {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: '/nonexistent',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  let pushId: string | undefined;
  if (service === 'git-receive-pack') {
    const pushed = deps.gate.register({ app, pusher: principal.user.name, via: 'ssh', repo });
    pushId = pushed.id;
    Object.assign(env, pushed.env);
  }
  deps.audit(principal, path, 200, undefined, source);
  // `git receive-pack DIR` / `git upload-pack DIR`: DIR is made from the validated app name, never the client's text.
  const child = spawn('git', [service.slice(4), repo], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const limit = setTimeout(() => child.kill('SIGKILL'), UPLOAD_REQUEST_TIMEOUT_MS);
  limit.unref();
  child.on('close', () => clearTimeout(limit));
  stream.pipe(child.stdin);
  child.stdin.on('error', () => undefined);
  // A client that leaves does not stop the push: git and its hook (the deploy) run to their end.
  child.stdout.on('data', (d: Buffer) => {
    if (stream.writable) stream.write(d);
  });
  child.stderr.on('data', (d: Buffer) => {
    if (stream.writable) stream.stderr.write(d);
  });
  stream.on('error', () => undefined);
  child.on('close', (code) => {
    if (pushId) deps.gate.unregister(pushId);
    if (!stream.writable) return;
    stream.exit(code ?? 1);
    stream.end();
  });
}

/** Listens; EADDRINUSE becomes PORT_IN_USE naming SLIPWAY_SSH_PORT. */
export function listenSsh(server: ssh2.Server, port: number, host: string): Promise<void> {
  return listen(server, port, host, {
    name: 'SSH',
    hint: 'set SLIPWAY_SSH_PORT to a free port (0 turns git push over SSH off)',
  });
}
