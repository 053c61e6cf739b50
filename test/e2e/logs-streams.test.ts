import type { Socket } from 'node:net';
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { join } from 'node:path';
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { Harness, ROOT, BASE_IMAGE, get, uniqueApp } from './harness.js';

const BURST_APP = join(ROOT, 'test', 'e2e', 'fixtures', 'log-burst');
const CLI = join(ROOT, 'src', 'cli', 'bin.ts');
/** Growth of the server's RSS that a bounded stream stays well under (the unbounded code grew by far more). */
const MAX_GROWTH_KB = 100 * 1024;

interface LogLine {
  time: string;
  dyno: string;
  release: string;
  text: string;
}

/** The server process as /proc sees it. */
class ServerProcess {
  constructor(readonly pid: number) {}
  rssKb(): number {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'))![1]);
  }
  fds(): number {
    return readdirSync(`/proc/${this.pid}/fd`).length;
  }
  cpuTicks(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  }
  /** Samples RSS every 100 ms until stopped; returns the peak. */
  sampleRss(): { stop: () => number } {
    let peak = this.rssKb();
    const timer = setInterval(() => (peak = Math.max(peak, this.rssKb())), 100);
    return { stop: () => (clearInterval(timer), Math.max(peak, this.rssKb())) };
  }
  /** Waits until the server uses (almost) no CPU for half a second: whatever it would read, it has read. */
  async settle(): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const before = this.cpuTicks();
      await new Promise((r) => setTimeout(r, 500));
      if (this.cpuTicks() - before <= 5) return;
      if (Date.now() > deadline) assert.fail('the server never went idle');
    }
  }
}

async function eventually(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads NDJSON lines from a response, calling `onLine` for each, until it ends. */
async function readLines(res: http.IncomingMessage, onLine: (line: string) => boolean | void): Promise<void> {
  let rest = '';
  res.resume();
  for await (const chunk of res) {
    const parts = (rest + (chunk as Buffer).toString('utf8')).split('\n');
    rest = parts.pop()!;
    for (const part of parts) if (part && onLine(part) === false) return void res.destroy();
  }
}

describe('log and run streams: bounded memory, backpressure, no lost lines, framed run -i', () => {
  let h: Harness;
  let server: ServerProcess;
  const app = uniqueApp('streams');
  const api = (method: string, path: string, body?: unknown): Promise<http.IncomingMessage> =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const token = readFileSync(join(h.home, 'token'), 'utf8').trim();
      const req = http.request(
        {
          host: '127.0.0.1',
          port: h.apiPort,
          method,
          path,
          agent: false,
          headers: { authorization: `Bearer ${token}`, ...(data ? { 'content-type': 'application/json' } : {}) },
        },
        resolve,
      );
      req.on('error', reject);
      req.end(data);
    });
  const burst = async (tag: string, size: number): Promise<number> => {
    const res = await get(h.httpPort, h.host(app), `/burst?mb=50&size=${size}&tag=${tag}`).catch(() => undefined);
    if (res?.status === 200) return Number(res.body);
    // A long burst can outlast the router's timeouts; the app's own line says when it is done.
    let count = 0;
    await eventually(
      () => {
        const tail = execFileSync(
          'docker',
          ['ps', '-q', '--filter', `label=slipway.app=${app}`, '--filter', 'label=slipway.process=web'],
          { encoding: 'utf8' },
        ).trim();
        const last = execFileSync('docker', ['logs', '--tail', '1', tail], { encoding: 'utf8' });
        const done = new RegExp(`^${tag} done (\\d+)`).exec(last);
        if (done) count = Number(done[1]);
        return done !== null;
      },
      `burst ${tag}`,
      120_000,
    );
    return count;
  };

  before(async () => {
    h = await Harness.create();
    await h.startServer();
    server = new ServerProcess(h.server!.pid!);
    await h.ok('apps:create', app);
    // Keep the whole bursts in the container log (rotation would drop lines a stalled reader has not read yet).
    await h.ok('apps:settings:set', '-a', app, 'logs.max-size=400m');
    await h.ok('deploy', '-a', app, BURST_APP, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`);
  });

  after(async () => {
    h.removeAppContainers(app);
    await h.destroy();
  });

  test('logs?tail= and ?ps= take only valid values: INVALID_INPUT with a hint, never a 500', async () => {
    for (const query of ['tail=abc', 'tail=-1', 'tail=1.5', 'tail=100000000', 'tail=1e9', 'ps=%25', 'ps=WEB']) {
      const res = await api('GET', `/v1/apps/${app}/logs?${query}`);
      let text = '';
      for await (const chunk of res) text += (chunk as Buffer).toString();
      assert.equal(res.statusCode, 400, `${query}: ${text}`);
      const { error } = JSON.parse(text) as { error: { code: string; hint?: string } };
      assert.equal(error.code, 'INVALID_INPUT', query);
      assert.ok(error.hint, `${query} has a hint`);
    }
    const cli = h.spawnCli(['logs', '-a', app, '-n', 'abc']);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /tail must be a whole number/);
  });

  test(
    'a stalled logs -f follower during a 50 MB burst: the server stays bounded, ' +
      'then delivers every line in order; leaving releases everything',
    { timeout: 300_000 },
    async (t) => {
      const fdsBefore = server.fds();
      const rssBefore = server.rssKb();
      const follower = await api('GET', `/v1/apps/${app}/logs?follow=1&tail=0`);
      assert.equal(follower.statusCode, 200);
      follower.pause(); // reads nothing from here on
      await eventually(
        () => server.fds() >= fdsBefore + 2,
        'the follower to be set up (client socket, engine streams)',
      );
      const sampler = server.sampleRss();
      const count = await burst('stalled', 200);
      await server.settle();
      const peak = sampler.stop();
      t.diagnostic(
        `stalled follower: ${count} lines burst, ` +
          `server RSS ${Math.round(rssBefore / 1024)} MB → peak ${Math.round(peak / 1024)} MB`,
      );
      assert.ok(count > 200_000, `${count} lines written`);
      assert.ok(
        peak - rssBefore < MAX_GROWTH_KB,
        `server RSS grew by ${Math.round((peak - rssBefore) / 1024)} MB with a stalled follower`,
      );

      // The follower reads again: every line arrives, once, in order.
      let next = 0;
      let doneLine = false;
      await readLines(follower, (raw) => {
        const line = JSON.parse(raw) as LogLine;
        if (!line.text.startsWith('stalled ')) return;
        if (line.text.startsWith('stalled done')) {
          doneLine = true;
          return false;
        }
        assert.equal(line.text.slice(8, 17), String(next).padStart(9, '0'), 'no line lost or repeated');
        next++;
      });
      assert.equal(next, count, 'every line of the burst');
      assert.ok(doneLine);
      // The client left: the engine streams, the event watch and the poll timer go with it.
      await eventually(
        () => server.fds() <= fdsBefore,
        `the server's handles to return to ${fdsBefore} (now ${server.fds()})`,
      );
    },
  );

  test(
    'a huge tail is capped, merged in time order and streamed at the pace of a stalled client',
    { timeout: 300_000 },
    async (t) => {
      const count = await burst('big', 8 * 1024);
      await server.settle();
      const rssBefore = server.rssKb();
      const fdsBefore = server.fds();
      const sampler = server.sampleRss();
      const res = await api('GET', `/v1/apps/${app}/logs?tail=10000`);
      assert.equal(res.statusCode, 200);
      res.pause();
      await server.settle();
      const peak = sampler.stop();
      t.diagnostic(
        `tail=10000 (${count} lines of 8 KiB among them): ` +
          `server RSS ${Math.round(rssBefore / 1024)} MB → peak ${Math.round(peak / 1024)} MB`,
      );
      assert.ok(
        peak - rssBefore < MAX_GROWTH_KB,
        `server RSS grew by ${Math.round((peak - rssBefore) / 1024)} MB for tail=10000`,
      );
      const lines: LogLine[] = [];
      await readLines(res, (raw) => void lines.push(JSON.parse(raw) as LogLine));
      assert.equal(lines.length, 10_000, 'exactly the newest 10,000 lines');
      assert.match(lines.at(-1)!.text, /^big done /, 'the newest line is last');
      const big = lines.filter((l) => /^big \d{9} /.test(l.text));
      assert.equal(big.length, count, 'every line of the last burst');
      assert.ok(
        big.every((l, i) => Number(l.text.slice(4, 13)) === i && l.text.length === 8 * 1024 - 1),
        'whole, consecutive, in order',
      );
      const stalled = lines.filter((l) => /^stalled \d{9} /.test(l.text)).map((l) => Number(l.text.slice(8, 17)));
      assert.equal(stalled.at(-1), 262_143, 'before them, the newest lines of the first burst');
      assert.ok(stalled.every((n, i) => n === stalled[0]! + i));
      await eventually(() => server.fds() <= fdsBefore, 'the server handles to return');
    },
  );

  test(
    'run output is paced by a stalled client; a client that leaves takes the one-off container with it',
    { timeout: 300_000 },
    async (t) => {
      const rssBefore = server.rssKb();
      const sampler = server.sampleRss();
      const res = await api('POST', `/v1/apps/${app}/runs`, {
        command: ['sh', '-c', 'head -c 200000000 /dev/zero | tr "\\0" x; echo; echo finished'],
      });
      assert.equal(res.statusCode, 200);
      res.pause();
      const running = () =>
        execFileSync(
          'docker',
          ['ps', '-aq', '--filter', `label=slipway.app=${app}`, '--filter', 'label=slipway.process=run'],
          { encoding: 'utf8' },
        ).trim();
      await eventually(() => running() !== '', 'the run container');
      await server.settle();
      const peak = sampler.stop();
      t.diagnostic(
        'run with 200 MB of output to a stalled client: ' +
          `server RSS ${Math.round(rssBefore / 1024)} MB → peak ${Math.round(peak / 1024)} MB`,
      );
      assert.ok(
        peak - rssBefore < MAX_GROWTH_KB,
        `server RSS grew by ${Math.round((peak - rssBefore) / 1024)} MB for 200 MB of run output to a stalled client`,
      );
      const state = execFileSync('docker', ['inspect', '-f', '{{.State.Running}}', running()], {
        encoding: 'utf8',
      }).trim();
      assert.equal(state, 'true', 'the command waits for the client: it has not finished writing');
      res.destroy();
      await eventually(() => running() === '', 'the one-off container to be removed');
    },
  );

  test(
    'run -i: the exit code is framed; output that imitates the old marker or a frame changes nothing',
    { timeout: 120_000 },
    async () => {
      // The old in-band marker, then bytes shaped like an exit frame of the new protocol.
      const forge =
        String.raw`printf '\033]slipway-exit;0\007'; printf '\003\000\000\000\016{"exitCode":0}'; ` +
        String.raw`read line; echo "got $line"; echo err >&2; exit 5`;
      const out = spawnSync(
        process.execPath,
        ['--import', 'tsx', CLI, 'run', '-i', '-a', app, '--', 'sh', '-c', forge],
        { env: h.env, cwd: ROOT, input: 'hello\n', timeout: 60_000 },
      );
      assert.equal(out.status, 5, out.stderr.toString());
      assert.ok(out.stdout.includes(Buffer.from('\u001b]slipway-exit;0\u0007')), 'the marker is just output');
      assert.ok(
        out.stdout.includes(Buffer.from('\u0003\u0000\u0000\u0000\u000e{"exitCode":0}', 'latin1')),
        'the fake frame is just output',
      );
      assert.match(out.stdout.toString(), /got hello/);
      assert.match(out.stderr.toString(), /err/);

      // Both directions at volume: 5 MB in, the same 5 MB back.
      const input = Buffer.alloc(5 * 1024 * 1024);
      for (let i = 0; i < input.length; i++) input[i] = (i * 7919) % 251;
      const echo = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'run', '-i', '-a', app, '--', 'cat'], {
        env: h.env,
        cwd: ROOT,
        input,
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      assert.equal(echo.status, 0, echo.stderr.toString());
      assert.ok(echo.stdout.equals(input), `${echo.stdout.length} bytes came back, the same as sent`);
    },
  );

  test(
    'run -i: an old-protocol client gets a clear error; a client that leaves takes the container with it',
    { timeout: 120_000 },
    async () => {
      const upgrade = (protocol: string, command: string[]) =>
        new Promise<{ socket?: Socket; status?: number; body?: string }>((resolve, reject) => {
          const token = readFileSync(join(h.home, 'token'), 'utf8').trim();
          const query = new URLSearchParams({ spec: JSON.stringify({ command }), tty: '0' });
          const req = http.request({
            host: '127.0.0.1',
            port: h.apiPort,
            method: 'POST',
            path: `/v1/apps/${app}/runs/attach?${query}`,
            agent: false,
            headers: { authorization: `Bearer ${token}`, connection: 'Upgrade', upgrade: protocol },
          });
          req.on('upgrade', (_res, socket) => resolve({ socket: socket as Socket }));
          req.on('response', (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on('error', reject);
          req.end();
        });
      const old = await upgrade('slipway-run', ['true']);
      assert.equal(old.status, 400);
      assert.equal((JSON.parse(old.body!) as { error: { code: string; hint?: string } }).error.code, 'INVALID_INPUT');
      assert.match(old.body!, /same version/);

      const running = () =>
        execFileSync(
          'docker',
          ['ps', '-aq', '--filter', `label=slipway.app=${app}`, '--filter', 'label=slipway.process=run'],
          { encoding: 'utf8' },
        ).trim();
      const session = await upgrade('slipway-run.2', ['sleep', '300']);
      assert.ok(session.socket);
      await eventually(() => running() !== '', 'the run container');
      session.socket.destroy();
      await eventually(() => running() === '', 'the one-off container to be removed when the client left');
    },
  );

  test(
    'run -i with a TTY: a terminal in the container, and the exit code still cannot be forged',
    { timeout: 120_000 },
    async () => {
      const command =
        `${process.execPath} --import tsx ${CLI} run -i -a ${app} -- sh -c ` +
        `'tty; printf "\\033]slipway-exit;0\\007"; read line; echo "got $line"; exit 4'`;
      const out = spawnSync('script', ['-q', '-e', '-c', command, '/dev/null'], {
        env: h.env,
        cwd: ROOT,
        input: 'hi\n',
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(out.status, 4, out.stdout + out.stderr);
      assert.match(out.stdout, /\/dev\/pts\/\d+/, 'the command has a terminal');
      assert.match(out.stdout, /got hi/);
    },
  );
});
