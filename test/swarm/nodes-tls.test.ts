import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Harness } from '../e2e/harness.js';
import { SwarmLab } from './swarm-lab.js';
import { labServerEnv, tearDownLab } from './swarm-kit.js';

/**
 * `nodes:add --engine tcp://HOST:2376 --tls-dir DIR` against a real dockerd with `--tlsverify`: a CA that did
 * not sign the engine's certificate is refused before anything changes; the right one joins the node; the
 * client key is kept sealed and `nodes:remove` reaches the node with it again to make it leave.
 */
describe('a node joined through a TLS Docker endpoint (real dockerd --tlsverify)', () => {
  let lab: SwarmLab;
  let h: Harness;
  let registry = '';
  let scratch = '';

  before(async () => {
    lab = await SwarmLab.start({ names: ['m1', 'w1'], swarm: false, tls: ['w1'] });
    h = await Harness.create();
    const server = await labServerEnv(lab);
    registry = server.registry;
    await h.startServer(server.env);
    scratch = mkdtempSync('/tmp/slipway-tls-');
  });

  after(async () => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    await tearDownLab(h, registry, lab);
  });

  const engine = () => `tcp://${lab.node('w1').address}:2376`;
  const swarmState = (node: string) => lab.node(node).docker('info', '--format', '{{.Swarm.LocalNodeState}}');

  test('a CA that did not sign the engine certificate: refused with a hint, nothing changes', async () => {
    const wrong = join(scratch, 'wrong');
    execFileSync('mkdir', ['-p', wrong]);
    for (const f of ['cert.pem', 'key.pem']) copyFileSync(join(lab.node('w1').tlsDir!, f), join(wrong, f));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(scratch, 'other-key.pem'),
        '-out',
        join(wrong, 'ca.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=another-ca',
      ],
      { stdio: 'ignore' },
    );
    const res = await h.cli(
      'nodes:add',
      '--engine',
      engine(),
      '--tls-dir',
      wrong,
      '--advertise-addr',
      lab.manager.address,
    );
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /TLS handshake with Docker at .*:2376 failed/);
    assert.match(res.stderr, /CA/);
    assert.equal(swarmState('m1'), 'inactive', 'the installation did not become a Swarm');
    const missing = await h.cli('nodes:add', '--engine', engine(), '--tls-dir', join(scratch, 'nope'));
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /cannot read .*ca\.pem/);
  });

  test('the right certificates join the node; its key is kept sealed; remove makes it leave over TLS', async () => {
    const dir = lab.node('w1').tlsDir!;
    const added = await h.ok(
      'nodes:add',
      '--engine',
      engine(),
      '--tls-dir',
      dir,
      '--advertise-addr',
      lab.manager.address,
    );
    assert.match(added.stdout, /joined w1/);
    assert.equal(swarmState('w1'), 'active');
    const kept = join(h.home, 'node-tls');
    const files = readdirSync(kept);
    assert.equal(files.length, 1);
    assert.equal(statSync(join(kept, files[0]!)).mode & 0o777, 0o600);
    const sealed = readFileSync(join(kept, files[0]!), 'utf8');
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    assert.equal(sealed.includes('PRIVATE KEY'), false, 'the client key is not stored in the clear');
    assert.equal(sealed.includes(key.split('\n')[1]!), false);
    await h.ok('nodes:remove', 'w1');
    assert.equal(swarmState('w1'), 'inactive', 'w1 left the Swarm, reached again with the kept certificates');
    assert.deepEqual(readdirSync(kept), [], 'the certificates of a removed node are deleted');
  });
});
