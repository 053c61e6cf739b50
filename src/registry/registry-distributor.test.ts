import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryDistributor, repositoryFor } from './registry-distributor.js';
import type { RegistryClient } from './registry-client.js';

const access = { server: '10.0.0.1:5000', username: 'u', password: 'p' };

test('repository names come from the image name, tags carry the image id', () => {
  const a = repositoryFor('slipway/shop:build-12', 'sha256:aa');
  assert.equal(a.app, 'shop');
  assert.match(a.tag, /^build-12-[0-9a-f]{12}$/);
  assert.notEqual(repositoryFor('slipway/shop:build-12', 'sha256:bb').tag, a.tag);
  assert.equal(repositoryFor('sha256:' + 'a'.repeat(64), 'x').app.length > 0, true);
  assert.equal(repositoryFor('Weird Name!', 'x').app, 'image');
});

test('an image is pushed once per image id; digest refs pass through; a failed push is tried again', async () => {
  const pushes: string[] = [];
  let fail = true;
  const client = {
    push: async (image: string, app: string, tag: string) => {
      pushes.push(`${image} ${app}:${tag}`);
      if (fail) {
        fail = false;
        throw new Error('registry down');
      }
      return { ref: `${access.server}/slipway/${app}@sha256:${'c'.repeat(64)}`, digest: '', tagged: '' };
    },
  } as unknown as RegistryClient;
  const d = new RegistryDistributor(client, access, async () => 'sha256:same');
  await assert.rejects(d.distribute('slipway/shop:b1'), /registry down/);
  const first = await d.distribute('slipway/shop:b1');
  const again = await d.distribute('slipway/shop:b1');
  assert.equal(first.image, again.image);
  assert.match(first.image, /^10\.0\.0\.1:5000\/slipway\/shop@sha256:c{64}$/);
  assert.ok(first.headers['X-Registry-Auth']);
  assert.equal(pushes.length, 2);
  const pinned = `${access.server}/slipway/shop@sha256:${'d'.repeat(64)}`;
  assert.equal((await d.distribute(pinned)).image, pinned);
  assert.equal(pushes.length, 2);
});
