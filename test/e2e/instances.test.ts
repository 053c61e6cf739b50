import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Harness, ROOT, BASE_IMAGE, get, uniqueApp } from './harness.js';

/** Two Slipway homes on one Docker Engine (a staging and a production Slipway, or a test run next to a real one). */
describe("two Slipway homes on one Docker Engine never touch each other's containers", () => {
  let a: Harness;
  let b: Harness;
  const app = uniqueApp('twin');

  before(async () => {
    a = await Harness.create();
    b = await Harness.create();
    await a.startServer();
    await b.startServer();
  });

  after(async () => {
    a.removeAppContainers(app);
    await a.destroy();
    await b.destroy();
  });

  test('same app name in both: each sees, serves and destroys only its own', async () => {
    await a.ok('apps:create', app);
    await b.ok('apps:create', app);
    await a.ok('deploy', '-a', app, join(ROOT, 'examples', 'hello'), '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`);
    const image = (JSON.parse((await a.ok('releases', '-a', app, '--json')).stdout) as { image: string }[])[0]!.image;
    await b.ok('deploy', '-a', app, '--image', image);
    await b.ok('deploy', '-a', app, '--image', image);
    const psA = JSON.parse((await a.ok('ps', '-a', app, '--json')).stdout) as { processes: { release: string }[] };
    const psB = JSON.parse((await b.ok('ps', '-a', app, '--json')).stdout) as { processes: { release: string }[] };
    assert.deepEqual(
      psA.processes.map((p) => p.release),
      ['v1'],
      "b's deploys did not replace a's container",
    );
    assert.deepEqual(
      psB.processes.map((p) => p.release),
      ['v2'],
    );
    assert.match((await get(a.httpPort, a.host(app))).body, /release v1/);
    assert.match((await get(b.httpPort, b.host(app))).body, /release v2/);
    await b.ok('apps:destroy', app, '--confirm', app);
    assert.match(
      (await get(a.httpPort, a.host(app))).body,
      /release v1/,
      'a still serves after b destroyed its app of the same name',
    );
  });
});
