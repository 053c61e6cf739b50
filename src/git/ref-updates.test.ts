import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRefUpdates, planPush } from './ref-updates.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const Z = '0'.repeat(40);

test('the hook input is parsed strictly: three fields, object ids, a ref name', () => {
  assert.deepEqual(parseRefUpdates(`${A} ${B} refs/heads/main\n`), [{ old: A, new: B, ref: 'refs/heads/main' }]);
  assert.equal(parseRefUpdates(`${Z} ${'c'.repeat(64)} refs/heads/main`)[0]!.new, 'c'.repeat(64));
  for (const bad of [
    '',
    `${A} ${B}`,
    `${A} ${B} refs/heads/main extra`,
    `${A} -${B.slice(1)} refs/heads/main`,
    `${A} ${B} main`,
    `${A} ${B} refs/heads/../../etc`,
    `${A} ${B} refs/heads/a b`,
    `${A} ${B} refs/heads/x.lock`,
    `${A} ${B} refs/heads/$(id)`,
  ])
    assert.throws(() => parseRefUpdates(bad), /ref update|names 1 to 1000/, JSON.stringify(bad));
});

test('only the deploy branch deploys; other refs and deletes are refused with a hint; force pushes deploy', () => {
  const plan = (line: string, ff = true) => planPush(parseRefUpdates(line), 'main', 'shop', ff);
  assert.deepEqual(plan(`${A} ${B} refs/heads/main`), {
    kind: 'deploy',
    commit: B,
    branch: 'main',
    previous: A,
    force: false,
  });
  assert.deepEqual(plan(`${Z} ${B} refs/heads/main`), {
    kind: 'deploy',
    commit: B,
    branch: 'main',
    previous: null,
    force: false,
  });
  assert.equal((plan(`${A} ${B} refs/heads/main`, false) as { force: boolean }).force, true);
  const other = plan(`${A} ${B} refs/heads/dev`);
  assert.equal(other.kind, 'refuse');
  assert.match((other as { message: string }).message, /deploys only from branch main; the push names branch dev/);
  assert.match((other as { hint: string }).hint, /git push REMOTE dev:main\).*git\.branch=BRANCH/);
  assert.match((plan(`${Z} ${B} refs/tags/v1`) as { message: string }).message, /names tag v1/);
  // A push of main and another ref at once: refused as a whole (nothing is half-applied).
  assert.equal(
    planPush(parseRefUpdates(`${A} ${B} refs/heads/main\n${Z} ${B} refs/heads/x`), 'main', 'shop').kind,
    'refuse',
  );
  const del = plan(`${A} ${Z} refs/heads/main`);
  assert.match((del as { message: string }).message, /deleting branch main of shop is refused/);
  assert.equal(planPush(parseRefUpdates(`${A} ${B} refs/heads/prod`), 'prod', 'shop').kind, 'deploy');
});
