import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendSocketCommand } from '../../src/router/runtime-client.js';

/**
 * The setup a user copies when putting HAProxy in front of a Swarm service with host-mode ports: a
 * static list of NODE_ADDR:PUBLISHED servers with ordinary TCP health checks, nothing else.
 */

export interface StaticServer {
  name: string;
  address: string;
  port: number;
}

export interface PlainHaproxy {
  port: number;
  config: string;
  /** Server name → `show stat` status (UP, DOWN, "UP 1/2", …). */
  status(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

export const PLAIN_BACKEND = 'swarm_web';

export function plainConfig(port: number, socket: string, servers: StaticServer[]): string {
  return [
    'global',
    `    stats socket ${socket} mode 600 level admin`,
    'defaults',
    '    mode http',
    '    timeout connect 5s',
    '    timeout client 30s',
    '    timeout server 30s',
    'frontend web',
    `    bind 127.0.0.1:${port}`,
    `    default_backend ${PLAIN_BACKEND}`,
    `backend ${PLAIN_BACKEND}`,
    '    balance roundrobin',
    ...servers.map((s) => `    server ${s.name} ${s.address}:${s.port} check inter 2s`),
    '',
  ].join('\n');
}

export async function startPlainHaproxy(port: number, servers: StaticServer[]): Promise<PlainHaproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-haproxy-'));
  const socket = join(dir, 'admin.sock');
  const config = plainConfig(port, socket, servers);
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  let log = '';
  const child: ChildProcess = spawn('haproxy', ['-f', file, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  child.on('error', () => undefined);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const status = async () => {
    const csv = await sendSocketCommand(socket, 'show stat', { timeoutMs: 5000 });
    const rows = csv.split('\n').filter((l) => l.startsWith(`${PLAIN_BACKEND},`));
    const out: Record<string, string> = {};
    for (const row of rows) {
      const cols = row.split(',');
      if (cols[1] && cols[1] !== 'BACKEND') out[cols[1]] = cols[17] ?? '';
    }
    return out;
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`haproxy exited with ${child.exitCode}: ${log}`);
    }
    if (
      await status()
        .then(() => true)
        .catch(() => false)
    )
      break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`haproxy did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, config, status, stop };
}
