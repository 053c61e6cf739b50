import type http from 'node:http';
import { spawn } from 'node:child_process';
import { SlipwayError, httpStatusFor, toSlipwayError } from '../core/errors.js';
import { validateAppName } from '../core/names.js';
import type { AuthPrincipal } from '../auth/auth-service.js';
import { principalFromBasic, type PasswordCheck } from '../auth/basic-auth.js';
import type { GitRepos } from './git-repos.js';
import type { PushGate } from './push-gate.js';
import { UPLOAD_REQUEST_TIMEOUT_MS } from '../server/http-server.js';

export const GIT_HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export interface GitHttpDeps {
  repos: GitRepos;
  gate: PushGate;
  authenticate(bearer: string): AuthPrincipal;
  /** A user's own name and password (optional: without it only tokens are taken). */
  checkPassword?: PasswordCheck;
  authorize(p: AuthPrincipal, method: string, path: string, query: URLSearchParams): void;
  /** APP_NOT_FOUND unless the app exists. */
  assertApp(app: string): void;
  maxRequestBytes: number;
}

/** `/git/<app>.git/<what>` → the app and the smart-HTTP endpoint; anything else is refused. */
export function parseGitPath(
  method: string,
  path: string,
  query: URLSearchParams,
): { app: string; rest: string; service: 'git-upload-pack' | 'git-receive-pack' } {
  const m = /^\/git\/([^/]+)\.git\/(info\/refs|git-upload-pack|git-receive-pack)$/.exec(path);
  if (!m)
    throw new SlipwayError('NOT_FOUND', 'not a git endpoint', {
      hint: 'git remote URLs look like http://HOST:PORT/git/APP.git (only the smart HTTP protocol)',
    });
  const app = validateAppName(m[1]);
  const rest = m[2]!;
  const service = rest === 'info/refs' ? query.get('service') : rest;
  if (
    (rest === 'info/refs') !== (method === 'GET') ||
    (service !== 'git-upload-pack' && service !== 'git-receive-pack')
  )
    throw new SlipwayError('INVALID_INPUT', 'only the smart HTTP protocol of git is served', {
      hint: 'use git 1.6.6 or newer',
    });
  return { app, rest, service };
}

/**
 * git over HTTP behind Slipway's auth: Basic credentials (a token as the password), the app's `deploy`
 * permission to push and `read` to fetch, then git's own http-backend with a fixed argv and a CGI
 * environment made here (the path is rebuilt from the validated app name).
 */
export async function handleGitHttp(
  deps: GitHttpDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  onPrincipal: (p: AuthPrincipal) => void,
): Promise<void> {
  let pushId: string | undefined;
  try {
    const method = req.method ?? 'GET';
    const target = parseGitPath(method, url.pathname, url.searchParams);
    const principal = await principalFromBasic(req.headers['authorization'], deps.authenticate, deps.checkPassword);
    onPrincipal(principal);
    deps.authorize(principal, method, url.pathname, url.searchParams);
    deps.assertApp(target.app);
    const length = Number(req.headers['content-length'] ?? '0');
    if (length > deps.maxRequestBytes) throw tooLarge(deps.maxRequestBytes);
    const repo = await deps.repos.ensure(target.app);
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: '/nonexistent',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_PROJECT_ROOT: deps.repos.root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: `/${target.app}.git/${target.rest}`,
      REQUEST_METHOD: method,
      QUERY_STRING: target.rest === 'info/refs' ? `service=${target.service}` : '',
      CONTENT_TYPE: String(req.headers['content-type'] ?? ''),
      REMOTE_USER: principal.user.name,
      REMOTE_ADDR: req.socket.remoteAddress ?? '',
      GIT_HTTP_MAX_REQUEST_BUFFER: String(Math.min(deps.maxRequestBytes, 100 * 1024 * 1024)),
    };
    const encoding = String(req.headers['content-encoding'] ?? '');
    if (encoding === 'gzip') env['HTTP_CONTENT_ENCODING'] = 'gzip';
    if (req.headers['git-protocol']) env['GIT_PROTOCOL'] = String(req.headers['git-protocol']).slice(0, 200);
    if (target.service === 'git-receive-pack' && target.rest !== 'info/refs') {
      const pushed = deps.gate.register({ app: target.app, pusher: principal.user.name, via: 'http', repo });
      pushId = pushed.id;
      Object.assign(env, pushed.env);
    }
    await runBackend(env, req, res, deps.maxRequestBytes);
  } catch (err) {
    const e = toSlipwayError(err);
    if (res.headersSent) return void res.destroy();
    const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8', 'x-slipway-error': e.code };
    if (e.code === 'UNAUTHORIZED') headers['www-authenticate'] = 'Basic realm="Slipway"';
    res.writeHead(httpStatusFor(e.code), headers);
    res.end(`${e.message}${e.hint ? `\n${e.hint}` : ''}\n`);
  } finally {
    if (pushId) deps.gate.unregister(pushId);
  }
}

function tooLarge(max: number): SlipwayError {
  return new SlipwayError('PAYLOAD_TOO_LARGE', `a push may send at most ${max} bytes`, {
    hint: 'SLIPWAY_UPLOAD_MAX_BYTES on the server sets the limit',
  });
}

/**
 * Runs git-http-backend: the request body in, its CGI answer (headers, then the body) out. A client that
 * leaves does not stop it: the push (and its deploy, in the hook) runs to its end and the ref is updated.
 */
function runBackend(
  env: Record<string, string>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  maxBytes: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    // Its own process group: git-http-backend runs receive-pack/upload-pack as children, and a kill must reach
    // them (and the hook) too.
    const child = spawn(GIT_HTTP_BACKEND, [], { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    // Every wait has a limit: a push (with its build and rollout) gets as long as the longest upload.
    const limit = setTimeout(kill, UPLOAD_REQUEST_TIMEOUT_MS);
    limit.unref();
    child.on('close', () => clearTimeout(limit));
    let received = 0;
    let stderr = '';
    let head = Buffer.alloc(0);
    let headersDone = false;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve();
    };
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        kill();
        finish(tooLarge(maxBytes));
      }
    });
    req.pipe(child.stdin);
    child.stdin.on('error', () => undefined);
    // A client gone mid-upload: git sees the pack end (and refuses it) instead of waiting for the rest.
    req.on('close', () => {
      if (!req.complete) child.stdin.end();
    });
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const write = (chunk: Buffer) => {
      if (!res.destroyed && !res.writableEnded) res.write(chunk);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) return write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 64 * 1024) kill();
        return;
      }
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const key = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (key === 'status') status = Number(value.split(' ')[0]) || 500;
        else headers[key] = value;
      }
      if (!res.destroyed) {
        res.writeHead(status, headers);
        res.flushHeaders();
      }
      write(head.subarray(end + 4));
    });
    child.on('error', (err) => finish(new SlipwayError('INTERNAL', `git-http-backend: ${err.message}`)));
    child.on('close', (code) => {
      if (!headersDone)
        return finish(
          new SlipwayError('INTERNAL', `git-http-backend ended (${code}) without an answer: ${stderr.trim()}`),
        );
      if (!res.destroyed) res.end();
      finish();
    });
  });
}
