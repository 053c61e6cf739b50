import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  mkdirInside,
  readTextInside,
  removeInside,
  resolveInside,
  writeFileInside,
} from '../../src/image-build/safe-path.js';
import { Sandbox } from './helpers.js';

/**
 * The one module every upload read and write goes through, on the real filesystem: a table of link
 * layouts and where each path resolves — inside the root (followed) or refused (it would leave).
 */
let o: Sandbox;
let root: string;

before(() => {
  o = new Sandbox();
  root = o.dir('root', { 'src/app.js': 'app', 'docs/readme': 'hi' });
  const link = (rel: string, target: string) => symlinkSync(target, join(root, rel));
  link('in-file', 'src/app.js');
  link('in-dir', 'src');
  link('in-up', 'src/../docs');
  link('chain', 'in-dir');
  link('abs', o.secretFile);
  link('abs-dir', o.outside);
  link('up', '..');
  link('up-deep', 'src/../../outside');
  link('dangling', 'nope/never');
  link('loop-a', 'loop-b');
  link('loop-b', 'loop-a');
  mkdirSync(join(root, 'src', 'nested'));
  symlinkSync('../../docs', join(root, 'src', 'nested', 'docs'));
  symlinkSync('../../..', join(root, 'src', 'nested', 'out'));
});
after(() => o.cleanup());

test('resolution table: links inside are followed, links that leave are refused naming the path', async () => {
  const inside: Array<[string, string]> = [
    ['src/app.js', 'src/app.js'],
    ['in-file', 'src/app.js'],
    ['in-dir/app.js', 'src/app.js'],
    ['chain/app.js', 'src/app.js'],
    ['in-up/readme', 'docs/readme'],
    ['src/nested/docs/readme', 'docs/readme'],
    ['src/../docs/readme', 'docs/readme'],
    ['dangling', 'nope/never'],
    ['missing/file', 'missing/file'],
    ['-T/etc/passwd', '-T/etc/passwd'],
  ];
  for (const [rel, real] of inside) assert.equal(await resolveInside(root, rel), join(root, real), rel);
  assert.equal(
    await resolveInside(root, 'abs', { followFinal: false }),
    join(root, 'abs'),
    'a final link is left alone when asked',
  );
  const refused: Array<[string, RegExp]> = [
    ['abs', /^"abs" is a symbolic link that points outside/],
    ['abs-dir/secret.txt', /^"abs-dir" \(on the way to "abs-dir\/secret\.txt"\) is a symbolic link/],
    ['up/outside/secret.txt', /^"up" \(on the way to/],
    ['up-deep/secret.txt', /^"up-deep" \(on the way to/],
    ['src/nested/out/outside/secret.txt', /^"src\/nested\/out" \(on the way to/],
    ['../outside/secret.txt', /is outside the uploaded directory/],
    ['/etc/passwd', /is an absolute path/],
    ['loop-a', /too many levels of symbolic links/],
  ];
  for (const [rel, message] of refused) {
    await assert.rejects(
      resolveInside(root, rel),
      (err: Error & { code?: string; hint?: string }) => {
        assert.equal(err.code, 'INVALID_INPUT', rel);
        assert.match(err.message, message, rel);
        assert.ok(err.hint, rel);
        return true;
      },
      rel,
    );
  }
});

test('reads, writes and removals stay inside: a link at the name is replaced or removed itself', async () => {
  assert.equal(await readTextInside(root, 'in-file', { maxBytes: 100 }), 'app');
  await assert.rejects(readTextInside(root, 'abs', { maxBytes: 100 }), /points outside/);
  assert.equal(await readTextInside(root, 'src', { maxBytes: 100 }), undefined, 'a directory reads as absent');
  await assert.rejects(readTextInside(root, 'src/app.js', { maxBytes: 2 }), /larger than 2 bytes/);
  assert.equal(await readTextInside(root, 'src/app.js', { maxBytes: 2, skipLarger: true }), undefined);

  await writeFileInside(root, 'abs', 'replaced');
  assert.equal(lstatSync(join(root, 'abs')).isFile(), true, 'the link itself was replaced');
  assert.equal(readFileSync(join(root, 'abs'), 'utf8'), 'replaced');
  await writeFileInside(root, 'in-dir/new.txt', 'through an inside link');
  assert.equal(readFileSync(join(root, 'src', 'new.txt'), 'utf8'), 'through an inside link');
  await assert.rejects(writeFileInside(root, 'abs-dir/victim.txt', 'pwned'), /points outside/);
  await assert.rejects(writeFileInside(root, 'src', 'x'), /is a directory/);

  await removeInside(root, 'abs-dir');
  assert.throws(() => lstatSync(join(root, 'abs-dir')), 'the link was removed, not what it points to');
  await assert.rejects(removeInside(root, 'up/outside'), /points outside/);
  await assert.rejects(mkdirInside(root, 'up-deep/new'), /points outside/);
  assert.equal(readlinkSync(join(root, 'up-deep')), 'src/../../outside');
  writeFileSync(join(root, 'plain'), 'x');
  await assert.rejects(mkdirInside(root, 'plain/sub'), /is a file, not a directory/);
  o.assertUntouched();
});
