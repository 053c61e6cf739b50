import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlipwayError } from '../core/errors.js';

/**
 * A Docker endpoint reached through a program's stdin/stdout (`ssh HOST docker system dial-stdio`):
 * a private unix socket (in a 0700 directory of its own) where every connection runs the program
 * once, without a shell, and pipes bytes both ways. The HTTP client then speaks to the socket like to
 * any other. `close()` stops the listener and every program still running, and removes the directory.
 */
export class StdioBridge {
  private readonly children = new Set<ChildProcess>();
  private readonly sockets = new Set<net.Socket>();
  /** What the last program that failed wrote to stderr (ssh's reason: auth, host key, refused, …). */
  lastError = '';

  private constructor(
    private readonly server: net.Server,
    private readonly dir: string,
    readonly socketPath: string,
  ) {}

  static async open(file: string, args: readonly string[]): Promise<StdioBridge> {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-bridge-'));
    const socketPath = join(dir, 'docker.sock');
    const server = net.createServer();
    const bridge = new StdioBridge(server, dir, socketPath);
    server.on('connection', (socket) => bridge.pipe(socket, file, args));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketPath, () => resolve());
      });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return bridge;
  }

  private pipe(socket: net.Socket, file: string, args: readonly string[]): void {
    const child = spawn(file, [...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.add(child);
    this.sockets.add(socket);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString('utf8');
    });
    child.on('error', () => socket.destroy());
    // 'close', not 'exit': stderr is fully read by then, so lastError is set before the socket ends.
    child.on('close', (code) => {
      this.children.delete(child);
      if (code !== 0 && stderr.trim()) this.lastError = stderr.trim().slice(0, 500);
      socket.end();
    });
    socket.on('error', () => undefined);
    child.stdin.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (child.exitCode === null) child.kill('SIGTERM');
    });
    socket.pipe(child.stdin);
    // The socket ends when the program has exited (below), not when its stdout does: by then its reason is known.
    child.stdout.pipe(socket, { end: false });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    for (const child of this.children) child.kill('SIGKILL');
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface SshTarget {
  user?: string;
  host: string;
  port?: number;
}

const USER_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
const SSH_HOST_RE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/;

/** `ssh://[user@]host[:port]` (nothing after it): checked so no part can read as an ssh option. */
export function parseSshUrl(value: string): SshTarget {
  const m = /^ssh:\/\/(?:([^@/]+)@)?([^/:@]+|\[[^\]]+\])(?::(\d{1,5}))?\/?$/.exec(value);
  const user = m?.[1];
  const host = m?.[2] ?? '';
  const port = m?.[3] === undefined ? undefined : Number(m[3]);
  if (!m || (user !== undefined && !USER_RE.test(user)) || !SSH_HOST_RE.test(host) || port === 0 || (port ?? 0) > 65535)
    throw new SlipwayError('INVALID_INPUT', `not an ssh endpoint: ${JSON.stringify(value.slice(0, 100))}`, {
      hint: 'e.g. --engine ssh://root@10.0.0.2 or ssh://deploy@node2:2222 (key-based login: no password prompt)',
    });
  return {
    ...(user ? { user } : {}),
    host: host.startsWith('[') ? host.slice(1, -1) : host,
    ...(port ? { port } : {}),
  };
}

/** The ssh argv (no shell): batch mode (never a prompt), a connect timeout, `--` before the destination. */
export function sshDialArgs(target: SshTarget): string[] {
  return [
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=10',
    ...(target.port ? ['-p', String(target.port)] : []),
    ...(target.user ? ['-l', target.user] : []),
    '--',
    target.host,
    'docker',
    'system',
    'dial-stdio',
  ];
}
