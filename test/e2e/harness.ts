import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import net from 'node:net';
import http from 'node:http';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BASE_IMAGE = process.env['SLIPWAY_TEST_BASE_IMAGE'] ?? 'slipway/node:bookworm';
export const DOMAIN = 'slipway.test';

/**
 * A port that is free now, picked below the kernel's ephemeral range (32768–60999 here). A port from
 * `listen(0)` is one the kernel and Docker's port proxy hand out again to the next outgoing connection
 * or published container, so a server that binds it a moment later could find it taken; one outside
 * that range is only ever taken by another test that picked the same random number.
 */
export async function freePort(): Promise<number> {
  const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  const top = Math.max(21000, Math.min(low ?? 32768, 32768));
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20000 + Math.floor(Math.random() * (top - 20000));
    if (await canListen(port)) return port;
  }
  throw new Error('no free port between 20000 and the ephemeral range after 100 tries');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A real Slipway server (child process) with its own SLIPWAY_HOME, ports and HAProxy. */
export class Harness {
  server?: ChildProcess;
  serverLog = '';

  private constructor(
    readonly home: string,
    readonly httpPort: number,
    readonly apiPort: number,
    readonly httpsPort: number,
  ) {}

  static async create(): Promise<Harness> {
    const home = mkdtempSync(join(tmpdir(), 'slipway-e2e-'));
    return new Harness(home, await freePort(), await freePort(), await freePort());
  }

  get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      SLIPWAY_HOME: this.home,
      SLIPWAY_HTTP_PORT: String(this.httpPort),
      SLIPWAY_HTTP_BIND: '127.0.0.1',
      SLIPWAY_HTTPS_PORT: String(this.httpsPort),
      SLIPWAY_API_PORT: String(this.apiPort),
      SLIPWAY_DOMAIN: DOMAIN,
      // git push over SSH is off unless a test asks for it (its default port 2222 is shared by every server).
      SLIPWAY_SSH_PORT: '0',
    };
  }

  host(app: string): string {
    return `${app}.${DOMAIN}`;
  }

  async startServer(extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
    // A server killed with -9 leaves its api.json behind: wait for the new one's.
    rmSync(join(this.home, 'api.json'), { force: true });
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts'), 'server'], {
      env: { ...this.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: ROOT,
    });
    this.server = child;
    child.stdout!.on('data', (d: Buffer) => (this.serverLog += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.serverLog += d.toString()));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${this.serverLog}`);
      if (existsSync(join(this.home, 'api.json')) && (await this.healthy())) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`server did not start:\n${this.serverLog}`);
  }

  private healthy(): Promise<boolean> {
    return new Promise((resolve) => {
      http
        .get({ host: '127.0.0.1', port: this.apiPort, path: '/v1/health', timeout: 1000 }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        })
        .on('error', () => resolve(false));
    });
  }

  /** kill -9 the control plane (HAProxy keeps serving). */
  async killServer(): Promise<void> {
    const child = this.server;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** kill -9 of the server, returning once it is dead (a zombie not yet reaped counts as dead). */
  private killServerNow(): void {
    const child = this.server;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    const nap = new Int32Array(new SharedArrayBuffer(4));
    for (const deadline = Date.now() + 5000; Date.now() < deadline; Atomics.wait(nap, 0, 0, 10)) {
      try {
        if (readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')) return;
      } catch {
        return; // gone
      }
    }
  }

  async stopServer(): Promise<void> {
    const child = this.server;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  /** Runs the CLI in this process against the server (same code path as bin/slipway). */
  async cli(...argv: string[]): Promise<CliResult> {
    const saved = { ...process.env };
    Object.assign(process.env, this.env);
    let stdout = '';
    let stderr = '';
    try {
      const code = await runCli(argv, { out: (t) => (stdout += t + '\n'), err: (t) => (stderr += t + '\n') });
      return { code, stdout, stderr };
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  }

  /** Like cli() but throws with the output when the exit code is not 0. */
  async ok(...argv: string[]): Promise<CliResult> {
    const result = await this.cli(...argv);
    if (result.code !== 0)
      throw new Error(
        `slipway ${argv.join(' ')} exited ${result.code}:\n${result.stdout}\n` +
          `${result.stderr}\n--- server log ---\n${this.serverLog.slice(-3000)}`,
      );
    return result;
  }

  /** Runs bin/slipway as a separate process (exit codes exactly as a user sees them). */
  spawnCli(argv: string[], input?: string): CliResult {
    try {
      const stdout = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts'), ...argv], {
        env: this.env,
        cwd: ROOT,
        encoding: 'utf8',
        stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        ...(input === undefined ? {} : { input }),
      });
      return { code: 0, stdout, stderr: '' };
    } catch (err) {
      const e = err as { status: number; stdout: string; stderr: string };
      return { code: e.status, stdout: e.stdout, stderr: e.stderr };
    }
  }

  /** Creates `app` from test/e2e/fixtures/slow-app (health check /health), deploys it and scales web to `web`. */
  async deploySlowApp(app: string, web = 1): Promise<void> {
    await this.ok('apps:create', app);
    await this.ok('apps:settings:set', '-a', app, 'healthcheck.path=/health');
    await this.ok(
      'deploy',
      '-a',
      app,
      join(ROOT, 'test', 'e2e', 'fixtures', 'slow-app'),
      '--build-arg',
      `BASE_IMAGE=${BASE_IMAGE}`,
    );
    if (web !== 1) await this.ok('ps:scale', '-a', app, `web=${web}`);
  }

  /** GET on the server's API with this home's token (for what no CLI command prints, e.g. deployments). */
  async api<T>(path: string): Promise<T> {
    const token = readFileSync(join(this.home, 'token'), 'utf8').trim();
    return new Promise((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port: this.apiPort, path, headers: { authorization: `Bearer ${token}` }, timeout: 10_000 },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () =>
            res.statusCode === 200
              ? resolve(JSON.parse(body) as T)
              : reject(new Error(`GET ${path}: ${res.statusCode} ${body}`)),
          );
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error(`GET ${path}: timeout`)));
    });
  }

  haproxyPid(): number | undefined {
    for (const name of ['haproxy.pid', 'haproxy-master.pid']) {
      const file = join(this.home, 'haproxy', name);
      if (existsSync(file)) return Number(readFileSync(file, 'utf8').trim().split('\n')[0]);
    }
    return undefined;
  }

  /** Stops the server, its HAProxy and every container it made; removes the state dir. */
  async destroy(): Promise<void> {
    await this.stopServer().catch(() => undefined);
    try {
      execFileSync('pkill', ['-9', '-f', this.home]);
    } catch {
      // nothing left running
    }
    rmSync(this.home, { recursive: true, force: true });
  }

  /**
   * Removes every container of these apps (test cleanup). The server is killed first: its
   * supervisor would otherwise restart the containers being removed.
   */
  removeAppContainers(...apps: string[]): void {
    this.killServerNow();
    for (const app of apps) {
      const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=slipway.app=${app}`], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .filter(Boolean);
      if (ids.length) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
      // …and the images Slipway built for it (tags slipway/<app>:build-…).
      const images = execFileSync('docker', ['images', '-q', `slipway/${app}`], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .filter(Boolean);
      if (images.length) {
        try {
          execFileSync('docker', ['rmi', '-f', ...new Set(images)], { stdio: 'ignore' });
        } catch {
          // still used by another image or container: leave it
        }
      }
    }
  }
}

/** A GET through the router with a Host header. */
export function get(port: number, host: string, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, headers: { host }, agent: false, timeout: 5000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** One request with a body (http or https options), answered with its status and text. */
export function send(
  options: http.RequestOptions & { tls?: boolean; servername?: string; rejectUnauthorized?: boolean },
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { tls, ...rest } = options;
    const onResponse = (res: http.IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    };
    const req = tls
      ? https.request({ agent: false, timeout: 10_000, ...rest }, onResponse)
      : http.request({ agent: false, timeout: 10_000, ...rest }, onResponse);
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${options.method ?? 'GET'} ${options.path ?? '/'} timed out`)));
    req.end(body);
  });
}

export function uniqueApp(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 7)}`;
}

/** Polls `check` every 100 ms until it is true (a throw counts as not yet); fails naming `what` at the deadline. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100)))
    if (await check().catch(() => false)) return;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
