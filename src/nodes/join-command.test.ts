import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { joinCommand } from './join-command.js';

const TOKEN = 'SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx';

test('one line: install docker.io when missing, then join with the token and address quoted', () => {
  const line = joinCommand(TOKEN, '10.0.0.1:2377');
  assert.equal(
    line,
    'command -v docker >/dev/null 2>&1 || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ' +
      `docker.io; } && docker swarm join --token '${TOKEN}' '10.0.0.1:2377'`,
  );
  assert.equal(line.includes('\n'), false);
});

test('a token or address of an unexpected form never reaches the line', () => {
  assert.throws(() => joinCommand("SWMTKN-1-a-b'; rm -rf /", '10.0.0.1:2377'), /unexpected form/);
  assert.throws(() => joinCommand(TOKEN, '10.0.0.1:2377; reboot'), /not HOST:PORT/);
  assert.throws(() => joinCommand(TOKEN, '$(id):2377'), /not HOST:PORT/);
});

test("with Slipway's registry: the new server trusts its CA (written where Docker reads it) before it joins", () => {
  const caPem = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n';
  const line = joinCommand(TOKEN, '10.0.0.1:2377', { server: '10.0.0.1:5000', caPem });
  assert.match(
    line,
    /&& mkdir -p '\/etc\/docker\/certs\.d\/10\.0\.0\.1:5000' && echo '[A-Za-z0-9+/=]+' \| base64 -d > /,
  );
  assert.ok(line.indexOf('ca.crt') < line.indexOf('swarm join'));
  // The CA part, run for real into a scratch directory, writes exactly the PEM.
  const dir = mkdtempSync('/tmp/slipway-join-');
  const part = line
    .split(' && ')
    .find((p) => p.startsWith('echo '))!
    .replace("'/etc/docker/certs.d/10.0.0.1:5000'", dir);
  execFileSync('sh', ['-c', part]);
  assert.equal(readFileSync(`${dir}/ca.crt`, 'utf8'), caPem);
  rmSync(dir, { recursive: true, force: true });
  assert.throws(() => joinCommand(TOKEN, '10.0.0.1:2377', { server: "x'; id", caPem }), /unexpected form/);
  assert.throws(
    () => joinCommand(TOKEN, '10.0.0.1:2377', { server: '10.0.0.1:5000', caPem: "'; id; '" }),
    /unexpected/,
  );
});
