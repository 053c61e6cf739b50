import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Header } from 'tar';
import { ArchiveChecker, compressedMagic, isTarHeaderBlock, type MemberHeader } from './archive-check.js';
import { normalizeRelative, relativePathProblem } from './safe-path.js';

const limits = { maxEntries: 100, maxExpandedBytes: 10_000 };
const file = (path: string, size = 1): MemberHeader => ({ path, type: 'File', size });
const dir = (path: string): MemberHeader => ({ path, type: 'Directory' });
const symlink = (path: string, linkpath: string): MemberHeader => ({ path, type: 'SymbolicLink', linkpath });
const hardlink = (path: string, linkpath: string): MemberHeader => ({ path, type: 'Link', linkpath });

/** Feeds the headers in order; returns the error message of the first refused one, or 'ok'. */
function verdict(headers: MemberHeader[], max = limits): string {
  const checker = new ArchiveChecker(max, 'the upload');
  try {
    for (const h of headers) checker.check(h);
    return 'ok';
  } catch (err) {
    const e = err as { code: string; message: string; hint?: string };
    assert.ok(e.hint, `a hint for: ${e.message}`);
    return `${e.code}: ${e.message}`;
  }
}

test('relative path rules (pure): what may name a file inside a root', () => {
  const cases: Array<[string, string | undefined]> = [
    ['Dockerfile', undefined],
    ['./src/app.js', undefined],
    ['a//b/', undefined],
    ['-T/etc/passwd', undefined], // a name starting with "-" is just a name: nothing passes it to a command
    ['--use-compress-program=sh -c x', undefined],
    ['/etc/passwd', 'is an absolute path'],
    ['../x', 'contains ".."'],
    ['a/../../x', 'contains ".."'],
    ['a\0b', 'contains a NUL byte'],
    [`${'a'.repeat(256)}`, 'has a name longer than 255 bytes'],
    [`${'a/'.repeat(2100)}x`, 'is longer than 4096 bytes'],
  ];
  for (const [path, problem] of cases) assert.equal(relativePathProblem(path), problem, path);
  assert.equal(normalizeRelative('./a//b/./c/'), 'a/b/c');
  assert.equal(normalizeRelative('.'), '');
});

test('archive members: every shape that could write outside or through a link is refused', () => {
  const cases: Array<[string, MemberHeader[], RegExp | 'ok']> = [
    [
      'plain tree',
      [dir('./'), dir('src/'), file('src/a.js'), file('./Dockerfile'), symlink('link', '/etc/passwd')],
      'ok',
    ],
    ['absolute name', [file('/etc/cron.d/x')], /INVALID_INPUT: .*"\/etc\/cron.d\/x" that is an absolute path/],
    ['dot-dot name', [file('a/../../x')], /contains "\.\."/],
    ['NUL in a name (pax)', [file('a\0b')], /NUL byte/],
    ['overlong component', [file('x'.repeat(300))], /longer than 255 bytes/],
    ['empty name', [file(' ')], /empty name/],
    [
      'file through a symlink stored earlier',
      [symlink('d', '/etc'), file('d/cron.d/x')],
      /goes through the symbolic link "d"/,
    ],
    ['directory through a symlink', [symlink('d', '..'), dir('d/sub')], /goes through the symbolic link/],
    [
      'deep member below a symlinked parent',
      [dir('a'), symlink('a/b', '/'), file('a/b/c/d')],
      /goes through the symbolic link "a\/b"/,
    ],
    ['member inside a file', [file('f'), file('f/x')], /is inside "f", which is a file/],
    ['a name stored twice (file then link)', [file('x'), symlink('x', '/etc/shadow')], /stored twice/],
    ['a link replacing an implied directory', [file('a/b'), symlink('a', '/etc')], /stored twice/],
    ['directory stored twice is fine', [dir('a'), file('a/b'), dir('a/')], 'ok'],
    ['hard link to a stored file', [file('a'), hardlink('b', 'a')], 'ok'],
    ['hard link to an absolute path', [hardlink('b', '/etc/shadow')], /hard link whose target is an absolute path/],
    ['hard link out with ..', [hardlink('b', '../../etc/shadow')], /hard link whose target contains "\.\."/],
    ['hard link to something not stored', [hardlink('b', 'etc/shadow')], /not a regular file stored earlier/],
    [
      'hard link through a symlink',
      [symlink('d', '/etc'), hardlink('b', 'd/shadow')],
      /not a regular file stored earlier/,
    ],
    ['hard link to a directory', [dir('d'), hardlink('b', 'd')], /not a regular file stored earlier/],
    ['symlink without target', [{ path: 'l', type: 'SymbolicLink' }], /without a target/],
  ];
  for (const [name, headers, expected] of cases) {
    const result = verdict(headers);
    if (expected === 'ok') assert.equal(result, 'ok', name);
    else assert.match(result, expected, name);
  }
});

test('devices and FIFOs are dropped, not extracted; limits are PAYLOAD_TOO_LARGE naming the variable', () => {
  const checker = new ArchiveChecker(limits);
  for (const type of ['CharacterDevice', 'BlockDevice', 'FIFO']) {
    const decision = checker.check({ path: `dev/${type}`, type });
    assert.equal(decision.keep, false, type);
  }
  assert.deepEqual([...checker.files()], []);
  assert.match(
    verdict([file('a'), file('b'), file('c')], { maxEntries: 2, maxExpandedBytes: 100 }),
    /PAYLOAD_TOO_LARGE: .*more than 2 files.*/,
  );
  assert.match(
    verdict([file('a', 60), file('b', 60)], { maxEntries: 10, maxExpandedBytes: 100 }),
    /PAYLOAD_TOO_LARGE: the upload is too large: its files add up to more than the limit of 100 bytes/,
  );
  const err = (() => {
    try {
      new ArchiveChecker({ maxEntries: 10, maxExpandedBytes: 1 }).check(file('a', 2));
    } catch (e) {
      return e as { hint: string };
    }
  })();
  assert.match(err!.hint, /SLIPWAY_UPLOAD_MAX_EXPANDED_BYTES/);
});

test('a tar header block is recognized by its checksum; compressed data is not a tar', () => {
  const block = Buffer.alloc(512);
  new Header({ path: 'Dockerfile', type: 'File', size: 3, mode: 0o644, mtime: new Date(0) }).encode(block, 0);
  assert.equal(isTarHeaderBlock(block), true);
  const corrupted = Buffer.from(block);
  corrupted[0] = 0x41;
  assert.equal(isTarHeaderBlock(corrupted), false);
  assert.equal(isTarHeaderBlock(Buffer.alloc(512)), false, 'zeros');
  assert.equal(isTarHeaderBlock(Buffer.from('hello world')), false, 'short');
  assert.equal(compressedMagic(Buffer.from([0x1f, 0x8b, 8, 0])), 'gzip');
  assert.equal(compressedMagic(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), 'zstd');
  assert.equal(compressedMagic(block), undefined);
});
