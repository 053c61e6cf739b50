import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DockerEngine } from '../../src/engine/docker-engine.js';
import { pollUntil } from '../../src/core/abort.js';
import { killAndUnmount } from '../support/host-cleanup.js';

/**
 * A dockerd of the test's own — own data root, exec root, socket, pidfile, config file and bridge —
 * so the test can stop and restart an engine without touching the machine's. Everything it made
 * goes in `destroy()`, which also works after a failure half-way.
 */
export class TestDockerd {
  private child?: ChildProcess;
  readonly socket: string;
  readonly pidFile: string;
  readonly configFile: string;
  readonly engine: DockerEngine;

  private constructor(
    readonly dir: string,
    readonly bridge: string,
    readonly subnet: string,
  ) {
    this.socket = join(dir, 'docker.sock');
    this.pidFile = join(dir, 'docker.pid');
    this.configFile = join(dir, 'daemon.json');
    this.engine = new DockerEngine({ socketPath: this.socket, timeoutMs: 10_000 });
  }

  get host(): string {
    return `unix://${this.socket}`;
  }

  /** Creates the bridge (a free 10.213.N.0/24) and the dirs, writes `config`, starts dockerd. */
  static async start(config: Record<string, unknown>): Promise<TestDockerd> {
    const used = execFileSync('ip', ['-4', 'route'], { encoding: 'utf8' });
    const free = Array.from({ length: 200 }, (_, i) => 20 + i).filter((n) => !used.includes(`10.213.${n}.`));
    const n = free[Math.floor(Math.random() * free.length)]!;
    const bridge = `slw${randomBytes(3).toString('hex')}`;
    const daemon = new TestDockerd(mkdtempSync('/tmp/slwd-'), bridge, `10.213.${n}.1/24`);
    try {
      execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
      execFileSync('ip', ['addr', 'add', daemon.subnet, 'dev', bridge]);
      execFileSync('ip', ['link', 'set', bridge, 'up']);
      writeFileSync(daemon.configFile, JSON.stringify(config) + '\n');
      await daemon.startDaemon();
      return daemon;
    } catch (err) {
      await daemon.destroy();
      throw err;
    }
  }

  async startDaemon(): Promise<void> {
    const log = openSync(join(this.dir, 'dockerd.log'), 'a');
    const args = [
      '--bridge',
      this.bridge,
      '--iptables=false',
      '--ip-masq=false',
      '--data-root',
      join(this.dir, 'data'),
      '--exec-root',
      join(this.dir, 'exec'),
      '-H',
      this.host,
      '--pidfile',
      this.pidFile,
      '--config-file',
      this.configFile,
    ];
    this.child = spawn('dockerd', args, { stdio: ['ignore', log, log] });
    closeSync(log);
    this.child.on('error', () => undefined);
    await pollUntil(
      () =>
        this.engine.ping(AbortSignal.timeout(1000)).then(
          () => true,
          () => undefined,
        ),
      {
        timeoutMs: 60_000,
        intervalMs: 100,
        what: `the test dockerd to answer (log: ${join(this.dir, 'dockerd.log')})`,
      },
    );
  }

  /** SIGTERM, as `systemctl restart docker` or a package upgrade does; SIGKILL if it does not exit in time. */
  async stopDaemon(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  docker(...args: string[]): string {
    return execFileSync('docker', ['-H', this.host, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  }

  /** A tiny HTTP image from Debian's busybox-static: `busybox httpd` serves /www on $PORT. */
  importBusyboxWeb(tag: string): void {
    const rootfs = join(this.dir, 'rootfs');
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    mkdirSync(join(rootfs, 'www'), { recursive: true });
    copyFileSync('/usr/bin/busybox', join(rootfs, 'bin', 'busybox'));
    symlinkSync('busybox', join(rootfs, 'bin', 'sh'));
    writeFileSync(join(rootfs, 'www', 'index.html'), 'ok\n');
    const tar = execFileSync('tar', ['-C', rootfs, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
    const cmd = 'CMD ["/bin/sh", "-c", "exec /bin/busybox httpd -f -p \\"$PORT\\" -h /www"]';
    execFileSync('docker', ['-H', this.host, 'import', '-c', cmd, '-', tag], {
      input: tar,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
  }

  /** Containers, daemon, leftover processes of its exec root, mounts, dirs and the bridge. */
  async destroy(): Promise<void> {
    try {
      if (!this.running) await this.startDaemon().catch(() => undefined);
      if (this.running) {
        const ids = this.docker('ps', '-aq').split('\n').filter(Boolean);
        if (ids.length > 0) this.docker('rm', '-f', ...ids);
      }
    } catch {
      // the daemon is beyond help: what follows still cleans up
    }
    await this.stopDaemon().catch(() => undefined);
    killAndUnmount(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
    try {
      execFileSync('ip', ['link', 'del', this.bridge], { stdio: 'ignore' });
    } catch {
      // never created
    }
  }
}
