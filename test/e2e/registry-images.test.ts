import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, get, uniqueApp, freePort } from './harness.js';
import { prepareSupervisedRegistry, type SupervisedRegistry } from '../../src/registry/registry-setup.js';
import { removeRegistryFiles } from '../../src/registry/registry-supervisor.js';
import { removeRegistryTrust, writeRegistryTrust } from '../../src/registry/registry-trust.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { busyboxWeb } from '../support/busybox-web.js';

/**
 * `deploy --image REGISTRY/NAME:TAG` from a registry on loopback (Debian's docker-registry, htpasswd, TLS
 * from a CA the test makes): credentials checked and sealed, pulled with progress, pinned by digest; a
 * moved tag is reported, and a rollback after the image was removed pulls the same bytes by digest.
 */
describe('registry images: deploy --image with registry:login, digest pinning, rollback by digest', () => {
  let h: Harness;
  let registry: SupervisedRegistry;
  let dir = '';
  let dockerConfig = '';
  let ref = '';
  const ids: string[] = [];
  const app = uniqueApp('regimg');

  const push = (version: string) => {
    ids.push(busyboxWeb(dir, ref, version));
    execFileSync('docker', ['--config', dockerConfig, 'push', '-q', ref], { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const page = async () => (await get(h.httpPort, h.host(app))).body.trim();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-regimg-'));
    dockerConfig = join(dir, 'docker-config');
    registry = await prepareSupervisedRegistry({
      dir: join(dir, 'registry'),
      box: new SecretBox(randomBytes(32)),
      advertise: '127.0.0.1',
      port: await freePort(),
      log: () => undefined,
    });
    await writeRegistryTrust(registry.access.server, registry.tls.caPem);
    await registry.supervisor.start(AbortSignal.timeout(30_000));
    ref = `${registry.access.server}/team/web:prod`;
    execFileSync(
      'docker',
      ['--config', dockerConfig, 'login', registry.access.server, '-u', registry.access.username, '--password-stdin'],
      { input: registry.access.password, stdio: ['pipe', 'ignore', 'pipe'] },
    );
    push('one');
    h = await Harness.create();
    await h.startServer();
    await h.ok('apps:create', app);
  });

  after(async () => {
    h?.removeAppContainers(app);
    await h?.destroy();
    for (const id of ids) spawnSync('docker', ['rmi', '-f', id], { stdio: 'ignore' });
    await registry?.supervisor.stop();
    if (registry) await removeRegistryTrust(registry.access.server);
    if (dir) {
      await removeRegistryFiles(join(dir, 'registry')).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without credentials the deploy fails with a hint, and a wrong password is refused and not kept', async () => {
    // The image is only in the registry, not on this host.
    execFileSync('docker', ['rmi', ref], { stdio: 'ignore' });
    const denied = h.spawnCli(['deploy', '-a', app, '--image', ref]);
    assert.equal(denied.code, 1, denied.stdout + denied.stderr);
    assert.match(
      denied.stderr,
      new RegExp(`hint: if ${escape(registry.access.server)} needs credentials: slipway registry:login`),
    );
    assert.equal((JSON.parse((await h.ok('releases', '-a', app, '--json')).stdout) as unknown[]).length, 0);
    const wrong = h.spawnCli(
      ['registry:login', registry.access.server, '--username', registry.access.username, '--password-stdin'],
      'not-the-password\n',
    );
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /refused the login/);
    assert.deepEqual(JSON.parse((await h.ok('registries', '--json')).stdout), []);
  });

  test('registry:login checks and seals the password; deploy --image pulls with progress, pins digest', async () => {
    const login = h.spawnCli(
      ['registry:login', registry.access.server, '--username', registry.access.username, '--password-stdin'],
      `${registry.access.password}\n`,
    );
    assert.equal(login.code, 0, login.stderr);
    const listed = (await h.ok('registries', '--json')).stdout;
    assert.deepEqual(
      (JSON.parse(listed) as Array<{ server: string; username: string }>).map((r) => [r.server, r.username]),
      [[registry.access.server, registry.access.username]],
    );
    const deployed = await h.ok('deploy', '-a', app, '--image', ref);
    assert.match(deployed.stderr, new RegExp(`pinned ${escape(ref.replace(/:prod$/, ''))}@sha256:[0-9a-f]{64}`));
    assert.match(deployed.stderr, /: (Pull complete|Already exists|Download complete)/);
    assert.equal(await page(), 'one');
    for (const text of [
      listed,
      login.stdout,
      login.stderr,
      deployed.stdout,
      readFileSync(join(h.home, 'slipway.db')).toString('latin1'),
    ])
      assert.ok(!text.includes(registry.access.password), 'the password is nowhere in the clear');
  });

  test('the tag moves: the deploy says so and runs the new bytes; rollback pulls the old ones by digest', async () => {
    push('two');
    const moved = await h.ok('deploy', '-a', app, '--image', ref);
    assert.match(
      moved.stderr,
      new RegExp(`tag ${escape(ref)} moved: sha256:[0-9a-f]{12} before, sha256:[0-9a-f]{12} now`),
    );
    assert.equal(await page(), 'two');
    // Image retention (or anyone) removed v1's image from this host: the rollback pulls it again by digest.
    execFileSync('docker', ['rmi', '-f', ids[0]!], { stdio: 'ignore' });
    const back = await h.ok('rollback', '-a', app);
    assert.match(back.stderr, new RegExp(`pull ${escape(ref.replace(/:prod$/, ''))}@sha256:`));
    assert.equal(await page(), 'one');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
