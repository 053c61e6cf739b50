import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { dirname } from 'node:path';
import { parseSshUrl, sshDialArgs, StdioBridge } from './stdio-bridge.js';

test('ssh argv: batch mode, a connect timeout, user and port as options, `--` before the host', () => {
  assert.deepEqual(sshDialArgs(parseSshUrl('ssh://deploy@10.0.0.2:2222')), [
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=10',
    '-p',
    '2222',
    '-l',
    'deploy',
    '--',
    '10.0.0.2',
    'docker',
    'system',
    'dial-stdio',
  ]);
  assert.deepEqual(sshDialArgs(parseSshUrl('ssh://node2')).slice(-5), [
    '--',
    'node2',
    'docker',
    'system',
    'dial-stdio',
  ]);
});

test('the bridge runs the program once per connection and pipes bytes both ways; close cleans up', async () => {
  const bridge = await StdioBridge.open('cat', []);
  const echo = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(bridge.socketPath);
      let got = '';
      socket.on('data', (chunk) => {
        got += chunk.toString();
        if (got.length >= text.length) {
          socket.end();
          resolve(got);
        }
      });
      socket.on('error', reject);
      socket.write(text);
    });
  assert.deepEqual(await Promise.all([echo('hello'), echo('second connection')]), ['hello', 'second connection']);
  await bridge.close();
  assert.equal(existsSync(dirname(bridge.socketPath)), false);
});

test('an ssh that fails says why (its stderr), as DOCKER_UNAVAILABLE with a hint', async () => {
  const { mkdtempSync, writeFileSync, chmodSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { connectEngine } = await import('./engine-connect.js');
  const { dockerEndpointFrom } = await import('./docker-endpoint.js');
  const dir = mkdtempSync(join(tmpdir(), 'slipway-fake-ssh-'));
  const fake = join(dir, 'ssh');
  writeFileSync(fake, '#!/bin/sh\necho "ssh: connect to host node2 port 22: Connection refused" >&2\nexit 255\n');
  chmodSync(fake, 0o755);
  try {
    await assert.rejects(connectEngine(dockerEndpointFrom('ssh://root@node2'), { sshBin: fake }), (err: unknown) => {
      const e = err as { code?: string; message?: string; hint?: string };
      return (
        e.code === 'DOCKER_UNAVAILABLE' && /Connection refused/.test(e.message ?? '') && /BatchMode/.test(e.hint ?? '')
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
