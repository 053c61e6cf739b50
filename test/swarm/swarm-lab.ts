import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync } from 'node:fs';
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DockerEngine } from '../../src/engine/docker-engine.js';
import { pollUntil } from '../../src/core/abort.js';
import { killAndUnmount, quietly } from '../support/host-cleanup.js';

/**
 * A real Docker Swarm on this one machine: every node is a `dockerd` of the test's own in a network
 * namespace of its own (own data root, exec root, socket, pidfile, hostname), joined over veth pairs
 * into a bridge that carries only the lab's own /24. The first node is the manager. This machine's
 * own dockerd is never touched: its daemon.json has live-restore (incompatible with Swarm) and other
 * tests share it.
 *
 * The host reaches each node at `node.address` (host-mode published ports answer there); the host
 * itself is `lab.hostAddress` on the bridge (a registry on the host listens there for the nodes).
 * `destroy()` removes everything, also after a failure half-way; `SwarmLab.sweep()` removes what a
 * killed test run left behind (labs whose owner process is gone).
 */

const ROOT_PREFIX = '/tmp/slwlab-';
const NETNS_DIR = '/run/netns';

export interface LabNode {
  name: string;
  /** The node's address on the lab bridge, e.g. 10.214.7.11. */
  address: string;
  /** `unix:///tmp/slwlab-…/NAME/docker.sock`: the node's Docker endpoint. */
  host: string;
  socket: string;
  engine: DockerEngine;
  /** `docker -H <node> ARGS…`, stdout trimmed; throws with stderr on failure. */
  docker(...args: string[]): string;
  /** With `tls`: the node's engine also listens on `tcp://ADDRESS:2376` with TLS; client files are in `tlsDir`. */
  tlsDir?: string;
}

interface NodeProc {
  node: LabNode;
  netns: string;
  veth: string;
  dir: string;
  child?: ChildProcess;
}

export class SwarmLab {
  private readonly procs: NodeProc[] = [];

  private constructor(
    readonly id: string,
    readonly root: string,
    readonly bridge: string,
    /** e.g. `10.214.7` */
    readonly prefix: string,
  ) {}

  /** The host's address on the lab bridge (`PREFIX.1`). */
  get hostAddress(): string {
    return `${this.prefix}.1`;
  }

  get nodes(): LabNode[] {
    return this.procs.map((p) => p.node);
  }

  get manager(): LabNode {
    return this.procs[0]!.node;
  }

  node(name: string): LabNode {
    const found = this.procs.find((p) => p.node.name === name);
    if (!found) throw new Error(`no lab node ${name}`);
    return found.node;
  }

  /**
   * Starts `names.length` dockerds (the first one the manager) and, unless `swarm: false`, makes
   * them one Swarm: `swarm init` on the first, `swarm join` of the others, every node Ready.
   */
  static async start(
    opts: { names?: string[]; swarm?: boolean; routed?: string; tls?: string[] } = {},
  ): Promise<SwarmLab> {
    SwarmLab.sweep();
    const names = opts.names ?? ['m1', 'w1', 'w2'];
    const used = execFileSync('ip', ['-4', 'route'], { encoding: 'utf8' });
    const free = Array.from({ length: 200 }, (_, i) => 20 + i).filter((n) => !used.includes(`10.214.${n}.`));
    const n = free[Math.floor(Math.random() * free.length)]!;
    const id = randomBytes(3).toString('hex');
    const root = mkdtempSync(`${ROOT_PREFIX}${id}-`);
    writeFileSync(join(root, 'owner.pid'), `${process.pid}\n`);
    const lab = new SwarmLab(id, root, `slwlab${id}`, `10.214.${n}`);
    try {
      execFileSync('ip', ['link', 'add', lab.bridge, 'type', 'bridge']);
      execFileSync('ip', ['addr', 'add', `${lab.hostAddress}/24`, 'dev', lab.bridge]);
      execFileSync('ip', ['link', 'set', lab.bridge, 'up']);
      // The host's FORWARD policy is DROP (Docker's): let the lab's bridged traffic through.
      execFileSync('iptables', ['-I', 'DOCKER-USER', '-i', lab.bridge, '-o', lab.bridge, '-j', 'ACCEPT']);
      names.forEach((name, i) => lab.addNode(name, 11 + i, name === opts.routed ? `10.215.${n}` : undefined));
      for (const name of opts.tls ?? []) lab.makeTls(name);
      await Promise.all(lab.procs.map((p) => lab.startDaemon(p)));
      if (opts.routed) lab.routeContainers(opts.routed);
      if (opts.swarm !== false) await lab.formSwarm();
      return lab;
    } catch (err) {
      await lab.destroy();
      throw err;
    }
  }

  /**
   * `routed`: the node's plain containers get addresses in `ROUTED.0/24` (its docker0), which the host reaches
   * through the node: a manager whose one-host containers HAProxy on the host routes to, as on a real server.
   */
  private addNode(name: string, hostByte: number, routed?: string): void {
    const dir = join(this.root, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'daemon.json'), JSON.stringify(routed ? { bip: `${routed}.1/24` } : {}) + '\n');
    const netns = `slwlab-${this.id}-${name}`;
    const veth = `slw${this.id}${name}`.slice(0, 15);
    const address = `${this.prefix}.${hostByte}`;
    execFileSync('ip', ['netns', 'add', netns]);
    execFileSync('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
    execFileSync('ip', ['link', 'set', veth, 'master', this.bridge, 'up']);
    execFileSync('ip', ['-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
    execFileSync('ip', ['-n', netns, 'link', 'set', 'eth0', 'up']);
    execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    execFileSync('ip', ['-n', netns, 'route', 'add', 'default', 'via', this.hostAddress]);
    const socket = join(dir, 'docker.sock');
    const host = `unix://${socket}`;
    const node: LabNode = {
      name,
      address,
      host,
      socket,
      engine: new DockerEngine({ socketPath: socket, timeoutMs: 15_000 }),
      docker: (...args) => dockerCli(host, args),
    };
    this.procs.push({ node, netns, veth, dir });
  }

  /**
   * A CA of the lab's own, a server certificate for the node's address and a client certificate: the node's
   * engine then also answers on `tcp://ADDRESS:2376` with `--tlsverify` (client files in `node.tlsDir`).
   */
  private makeTls(name: string): void {
    const p = this.procs.find((q) => q.node.name === name)!;
    const dir = join(p.dir, 'tls');
    const client = join(dir, 'client');
    mkdirSync(client, { recursive: true });
    const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ssl(
      'req',
      '-x509',
      ...key,
      '-keyout',
      join(dir, 'ca-key.pem'),
      '-out',
      join(dir, 'ca.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=slwlab-ca',
    );
    const sign = (out: string, keyOut: string, cn: string, ext: string) => {
      const csr = `${out}.csr`;
      const extFile = `${out}.ext`;
      writeFileSync(extFile, ext + '\n');
      ssl('req', '-new', ...key, '-keyout', keyOut, '-out', csr, '-subj', `/CN=${cn}`);
      ssl(
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        join(dir, 'ca.pem'),
        '-CAkey',
        join(dir, 'ca-key.pem'),
        '-CAcreateserial',
        '-out',
        out,
        '-days',
        '2',
        '-extfile',
        extFile,
      );
    };
    sign(
      join(dir, 'server.pem'),
      join(dir, 'server-key.pem'),
      name,
      `subjectAltName=IP:${p.node.address}\nextendedKeyUsage=serverAuth`,
    );
    sign(join(client, 'cert.pem'), join(client, 'key.pem'), 'slipway', 'extendedKeyUsage=clientAuth');
    copyFileSync(join(dir, 'ca.pem'), join(client, 'ca.pem'));
    p.node.tlsDir = client;
  }

  private async startDaemon(p: NodeProc): Promise<void> {
    const log = openSync(join(p.dir, 'dockerd.log'), 'a');
    const tls = p.node.tlsDir ? join(p.dir, 'tls') : undefined;
    const dockerd = [
      'dockerd',
      '--config-file',
      join(p.dir, 'daemon.json'),
      '--data-root',
      join(p.dir, 'data'),
      '--exec-root',
      join(p.dir, 'exec'),
      '--pidfile',
      join(p.dir, 'docker.pid'),
      '-H',
      p.node.host,
      ...(tls ? ['-H', `tcp://${p.node.address}:2376`, '--tlsverify', '--tlscacert', join(tls, 'ca.pem')] : []),
      ...(tls ? ['--tlscert', join(tls, 'server.pem'), '--tlskey', join(tls, 'server-key.pem')] : []),
    ];
    // nsenter into the lab namespace, a UTS namespace of its own so the node has its own hostname;
    // `ip netns exec` would hide the cgroup mounts and dockerd would fail. No shell: argv only.
    const args = [`--net=${NETNS_DIR}/${p.netns}`, 'unshare', '--uts', 'sh', '-c', 'hostname "$0"; exec "$@"'];
    p.child = spawn('nsenter', [...args, p.node.name, ...dockerd], { stdio: ['ignore', log, log] });
    closeSync(log);
    p.child.on('error', () => undefined);
    await pollUntil(
      () =>
        p.node.engine.ping(AbortSignal.timeout(1000)).then(
          () => true,
          () => undefined,
        ),
      { timeoutMs: 60_000, intervalMs: 100, what: `lab node ${p.node.name} to answer (${join(p.dir, 'dockerd.log')})` },
    );
  }

  /** The host routes the node's container subnet through it; the node lets that traffic through to them. */
  private routeContainers(name: string): void {
    const p = this.procs.find((q) => q.node.name === name)!;
    const bip = (JSON.parse(readFileSync(join(p.dir, 'daemon.json'), 'utf8')) as { bip: string }).bip;
    const subnet = bip.replace(/\.1\/24$/, '.0/24');
    // The route goes with the bridge when the lab is destroyed.
    execFileSync('ip', ['route', 'add', subnet, 'via', p.node.address, 'dev', this.bridge]);
    execFileSync('ip', ['netns', 'exec', p.netns, 'iptables', '-I', 'DOCKER-USER', '-d', subnet, '-j', 'ACCEPT']);
  }

  private async formSwarm(): Promise<void> {
    const [manager, ...workers] = this.nodes;
    manager!.docker('swarm', 'init', '--advertise-addr', manager!.address, '--listen-addr', `${manager!.address}:2377`);
    const token = manager!.docker('swarm', 'join-token', '-q', 'worker');
    for (const w of workers)
      w.docker('swarm', 'join', '--advertise-addr', w.address, '--token', token, `${manager!.address}:2377`);
    await this.waitReady(this.nodes.length);
  }

  /** Waits until `count` nodes are Ready in `docker node ls`. */
  async waitReady(count: number, timeoutMs = 60_000): Promise<void> {
    await pollUntil(
      async () => {
        const states = this.manager.docker('node', 'ls', '--format', '{{.Status}}').split('\n').filter(Boolean);
        return states.filter((s) => s === 'Ready').length >= count ? true : undefined;
      },
      { timeoutMs, intervalMs: 250, what: `${count} lab nodes Ready` },
    );
  }

  /** Copies an image of the host's dockerd into each named node (before a registry exists). */
  loadImage(tag: string, names = this.nodes.map((n) => n.name)): void {
    const tar = execFileSync('docker', ['save', tag], { maxBuffer: 2 * 1024 ** 3 });
    for (const name of names)
      execFileSync('docker', ['-H', this.node(name).host, 'load'], { input: tar, stdio: ['pipe', 'ignore', 'pipe'] });
  }

  /**
   * A tiny HTTP image on every node, from Debian's busybox-static: `busybox httpd` serves /www on
   * $PORT (default 8080); `/www/index.html` says `ok VERSION`. Returns its image id (`sha256:…`), the
   * same on every node: a service that names an image by id is never pulled (no registry needed).
   */
  importBusyboxWeb(tag: string, version = '1'): string {
    const rootfs = join(this.root, `rootfs-${randomBytes(3).toString('hex')}`);
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    mkdirSync(join(rootfs, 'www'), { recursive: true });
    copyFileSync('/usr/bin/busybox', join(rootfs, 'bin', 'busybox'));
    symlinkSync('busybox', join(rootfs, 'bin', 'sh'));
    writeFileSync(join(rootfs, 'www', 'index.html'), `ok ${version}\n`);
    const tar = execFileSync('tar', ['-C', rootfs, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
    rmSync(rootfs, { recursive: true, force: true });
    const cmd = 'CMD ["/bin/sh", "-c", "exec /bin/busybox httpd -f -p \\"${PORT:-8080}\\" -h /www"]';
    const [first, ...others] = this.nodes;
    execFileSync('docker', ['-H', first!.host, 'import', '-c', cmd, '-', tag], {
      input: tar,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const image = execFileSync('docker', ['-H', first!.host, 'save', tag], { maxBuffer: 256 * 1024 * 1024 });
    for (const n of others)
      execFileSync('docker', ['-H', n.host, 'load'], { input: image, stdio: ['pipe', 'ignore', 'pipe'] });
    return first!.docker('image', 'inspect', tag, '--format', '{{.Id}}');
  }

  /** A node dies: its dockerd (and containers) SIGKILLed and its link down, as when a machine loses power. */
  killNode(name: string): void {
    const p = this.procs.find((q) => q.node.name === name)!;
    quietly('ip', ['link', 'set', p.veth, 'down']);
    killAndUnmount(p.dir);
    p.child?.kill('SIGKILL');
  }

  /** Brings a killed node back: link up, dockerd started again (it rejoins the Swarm by itself). */
  async reviveNode(name: string): Promise<void> {
    const p = this.procs.find((q) => q.node.name === name)!;
    // The killed dockerd must be gone (its pidfile and socket free) before a new one starts.
    const old = p.child;
    if (old && old.exitCode === null && old.signalCode === null)
      await new Promise<void>((resolve) => old.once('exit', () => resolve()));
    execFileSync('ip', ['link', 'set', p.veth, 'up']);
    await this.startDaemon(p);
  }

  /** Services, swarm membership, dockerds, leftover processes, mounts, namespaces, links, rule, dirs. */
  async destroy(): Promise<void> {
    try {
      const ids = this.procs.length ? this.manager.docker('service', 'ls', '-q').split('\n').filter(Boolean) : [];
      if (ids.length) this.manager.docker('service', 'rm', ...ids);
    } catch {
      // the manager is gone: what follows still cleans up
    }
    for (const p of [...this.procs].reverse()) {
      try {
        p.node.docker('swarm', 'leave', '--force');
      } catch {
        // not in a swarm, or its daemon is gone
      }
    }
    await Promise.all(this.procs.map((p) => stopChild(p.child)));
    SwarmLab.removeRoot(this.root, this.bridge);
  }

  /** Removes labs whose owner process has exited (a test run killed before its teardown). */
  static sweep(): void {
    for (const entry of readdirSync('/tmp')) {
      const root = `/tmp/${entry}`;
      if (!root.startsWith(ROOT_PREFIX)) continue;
      const owner = Number(readIfExists(join(root, 'owner.pid')) ?? 0);
      if (owner && existsSync(`/proc/${owner}`)) continue;
      const id = entry.slice('slwlab-'.length).split('-')[0]!;
      SwarmLab.removeRoot(root, `slwlab${id}`);
    }
  }

  private static removeRoot(root: string, bridge: string): void {
    const id = bridge.slice('slwlab'.length);
    killAndUnmount(root);
    // /run/netns exists only once some namespace was made: a start that failed before that has none.
    const namespaces = existsSync(NETNS_DIR) ? readdirSync(NETNS_DIR, { withFileTypes: true }) : [];
    for (const ns of namespaces) if (ns.name.startsWith(`slwlab-${id}-`)) quietly('ip', ['netns', 'del', ns.name]);
    for (const link of readFileSync('/proc/net/dev', 'utf8').split('\n')) {
      const name = link.split(':')[0]!.trim();
      if (name.startsWith(`slw${id}`)) quietly('ip', ['link', 'del', name]);
    }
    quietly('ip', ['link', 'del', bridge]);
    quietly('iptables', ['-D', 'DOCKER-USER', '-i', bridge, '-o', bridge, '-j', 'ACCEPT']);
    rmSync(root, { recursive: true, force: true });
  }
}

function dockerCli(host: string, args: string[]): string {
  try {
    return execFileSync('docker', ['-H', host, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    }).trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`docker ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}
