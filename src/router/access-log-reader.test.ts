import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessLogReader } from './access-log-reader.js';
import type { AccessLogLine } from './access-log.js';

/**
 * A fake of HAProxy's runtime socket: `show info` names the current worker; `show events … -w`
 * sends that worker's ring (every line so far) and then each new line, until the session is closed.
 */
class FakeRuntimeSocket {
  readonly path: string;
  pid = 100;
  private readonly rings = new Map<number, string[]>();
  private readonly watchers = new Map<number, Set<net.Socket>>();
  private readonly server: net.Server;

  constructor(dir: string) {
    this.path = join(dir, 'runtime.sock');
    this.server = net.createServer((socket) => {
      socket.once('data', (data) => {
        const command = data.toString().trim();
        if (command === 'show info') return socket.end(`Name: HAProxy\nPid: ${this.pid}\n`);
        const pid = this.pid;
        for (const line of this.ring(pid)) socket.write(`${line}\n`);
        this.watch(pid).add(socket);
        socket.on('close', () => this.watch(pid).delete(socket));
      });
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.path, resolve));
  }

  close(): void {
    for (const set of this.watchers.values()) for (const s of set) s.destroy();
    this.server.close();
  }

  /** Worker `pid` logs a request `rt` for `path`. */
  log(pid: number, rt: number, path: string): void {
    const line = `slw1 ${pid} ${rt} 1796164210033 app_shop web-1 200 5 0 0 0 1 1 127.0.0.1 GET shop.test ${path}`;
    this.ring(pid).push(line);
    for (const socket of this.watch(pid)) socket.write(`${line}\n`);
  }

  /** The CLI timeout: HAProxy closes the sessions watching `pid`. */
  dropSessions(pid: number): void {
    for (const socket of this.watch(pid)) socket.destroy();
  }

  sessions(pid: number): number {
    return this.watch(pid).size;
  }

  private ring(pid: number): string[] {
    if (!this.rings.has(pid)) this.rings.set(pid, []);
    return this.rings.get(pid)!;
  }

  private watch(pid: number): Set<net.Socket> {
    if (!this.watchers.has(pid)) this.watchers.set(pid, new Set());
    return this.watchers.get(pid)!;
  }
}

const paths = (lines: AccessLogLine[]) => lines.map((l) => l.fields.split(' ').at(-1));

async function until(check: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 10)))
    if (check()) return;
  assert.fail(`timed out waiting for ${what}`);
}

describe('AccessLogReader', () => {
  it('reads the ring, reads it again after HAProxy closed the session, and hands on every line once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-ring-'));
    const fake = new FakeRuntimeSocket(dir);
    await fake.listen();
    const got: AccessLogLine[] = [];
    // /0 was stored by a previous server: its key is known.
    fake.log(100, 0, '/0');
    fake.log(100, 1, '/1');
    const reader = new AccessLogReader(fake.path, (line) => got.push(line), { pollMs: 20, seen: ['100:0'] });
    try {
      await reader.start();
      await until(() => got.length === 1, 'the ring');
      fake.log(100, 2, '/2');
      await until(() => got.length === 2, 'a new line');
      fake.dropSessions(100);
      fake.log(100, 3, '/3');
      await until(() => got.length === 3, 'the line after a reconnect');
      assert.deepEqual(paths(got), ['/1', '/2', '/3']);
      assert.equal(reader.ignored, 0);
    } finally {
      reader.stop();
      fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('after a reload reads the new worker from its start and lets the old one go after the drain time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-ring-'));
    const fake = new FakeRuntimeSocket(dir);
    await fake.listen();
    const got: AccessLogLine[] = [];
    const reader = new AccessLogReader(fake.path, (line) => got.push(line), { pollMs: 20, drainMs: 200 });
    try {
      await reader.start();
      await until(() => fake.sessions(100) === 1, 'the session');
      fake.pid = 200; // reloaded: the runtime socket reaches the new worker
      fake.log(200, 0, '/new-0');
      fake.log(100, 7, '/old-finishing');
      await until(() => got.length === 2, 'both workers');
      assert.deepEqual(paths(got).sort(), ['/new-0', '/old-finishing']);
      await until(() => fake.sessions(100) === 0, 'the old worker to be let go');
      assert.equal(fake.sessions(200), 1);
    } finally {
      reader.stop();
      fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
