import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Harness, ROOT, BASE_IMAGE, uniqueApp } from './harness.js';

const imageExists = (ref: string) => {
  try {
    execFileSync('docker', ['image', 'inspect', ref], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

describe('image retention keeps the images of the last N releases and prunes the rest', () => {
  let h: Harness;
  let src: string;
  const app = uniqueApp('keep');

  before(async () => {
    h = await Harness.create();
    await h.startServer({ SLIPWAY_KEEP_RELEASES: '2' });
    await h.ok('apps:create', app);
    src = mkdtempSync(join(tmpdir(), 'slipway-keep-'));
    cpSync(join(ROOT, 'examples', 'hello'), src, { recursive: true });
  });

  after(async () => {
    h.removeAppContainers(app);
    await h.destroy();
    rmSync(src, { recursive: true, force: true });
  });

  test(
    'after four source deploys with N=2, v1 and v2 images are gone, ' +
      'v3 and v4 kept; rolling back to a pruned release is refused',
    async () => {
      for (let i = 1; i <= 4; i++) {
        appendFileSync(join(src, 'server.js'), `\n// build ${i}\n`);
        await h.ok('deploy', '-a', app, src, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`);
      }
      const releases = JSON.parse((await h.ok('releases', '-a', app, '--json')).stdout) as {
        version: number;
        image: string;
      }[];
      const image = (v: number) => releases.find((r) => r.version === v)!.image;
      assert.deepEqual(
        [1, 2, 3, 4].map((v) => imageExists(image(v))),
        [false, false, true, true],
      );
      const refused = await h.cli('rollback', '-a', app, 'v1');
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /no longer on this host/);
      assert.match(refused.stderr, /hint: image retention/);
      const after = JSON.parse((await h.ok('releases', '-a', app, '--json')).stdout) as unknown[];
      assert.equal(after.length, 4, 'the refused rollback made no release');
      await h.ok('rollback', '-a', app);
    },
  );
});
