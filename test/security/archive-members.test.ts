import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { extractArchive } from '../../src/image-build/archive-extract.js';
import {
  benchHooks,
  assertRefused,
  rawTar,
  writeTar,
  type BuildBench,
  type RawEntry,
  type Sandbox,
} from './helpers.js';

/**
 * Crafted upload archives against the real extraction code and the real filesystem: every member
 * shape that could reach outside the target (absolute and `..` names, NUL and overlong names, links
 * stored before files that go through them, hard links out, duplicates, devices) is refused or
 * dropped with a clear error, and nothing outside the target is ever created or changed.
 */
describe('uploaded archives: members can never act outside their directory', () => {
  let sandbox: Sandbox;
  let bench: BuildBench;
  const limits = { maxEntries: 1000, maxExpandedBytes: 10 * 1024 * 1024 };
  benchHooks((s, b) => ((sandbox = s), (bench = b)));

  const out = (o: typeof sandbox) => relative(join(o.work, 'x', 'y'), o.outside);

  test(
    'hostile member shapes are refused before ' + 'anything is written outside (and no build record is made)',
    async () => {
      const o = sandbox;
      const up = out(o);
      const cases: Array<[string, RawEntry[], RegExp]> = [
        ['absolute name', [{ path: `${o.victimDir}/server`, data: 'pwned' }], /is an absolute path/],
        ['.. name', [{ path: `x/y/${up}/victim.txt`, data: 'pwned' }], /contains "\.\."/],
        ['.. in the middle', [{ path: `a/../../${up}/victim.txt`, data: 'pwned' }], /contains "\.\."/],
        ['overlong component', [{ path: `${'n'.repeat(300)}`, data: 'x' }], /longer than 255 bytes/],
        [
          'symlink then a file through it',
          [
            { path: 'd', type: 'SymbolicLink', linkpath: o.victimDir },
            { path: 'd/server', data: 'pwned' },
          ],
          /goes through the symbolic link "d"/,
        ],
        [
          'relative symlink out, then a file through it',
          [
            { path: 'd', type: 'SymbolicLink', linkpath: `../../${up}` },
            { path: 'd/victim.txt', data: 'pwned' },
          ],
          /goes through the symbolic link/,
        ],
        [
          'symlink replacing a directory already stored',
          [
            { path: 'd/a', data: 'x' },
            { path: 'd', type: 'SymbolicLink', linkpath: o.victimDir },
            { path: 'd/server', data: 'pwned' },
          ],
          /stored twice/,
        ],
        [
          'hard link to an outside file',
          [{ path: 'h', type: 'Link', linkpath: o.secretFile }],
          /hard link whose target is an absolute path/,
        ],
        ['hard link out with ..', [{ path: 'h', type: 'Link', linkpath: `../../${up}/secret.txt` }], /contains "\.\."/],
        [
          'hard link through a symlink',
          [
            { path: 'd', type: 'SymbolicLink', linkpath: o.outside },
            { path: 'h', type: 'Link', linkpath: 'd/secret.txt' },
          ],
          /not a regular file stored earlier/,
        ],
        [
          'a name stored twice',
          [
            { path: 'Procfile', data: 'web: x' },
            { path: 'Procfile', type: 'SymbolicLink', linkpath: o.secretFile },
          ],
          /stored twice/,
        ],
      ];
      for (const [name, entries, message] of cases) {
        const dest = join(o.work, 'x', 'y', name.replace(/\W+/g, '-'));
        mkdirSync(dest, { recursive: true });
        const file = writeTar(o.work, 'case.tar', entries);
        await assert.rejects(
          extractArchive(file, join(dest, 'src'), { limits, what: 'the uploaded source' }),
          (err: Error & { code?: string; hint?: string }) => {
            assertRefused(o, err, 'INVALID_INPUT', message);
            return true;
          },
          name,
        );
        // The same upload through the build service: refused the same way, no record, no workspace left.
        const { error } = await bench.build(file);
        assertRefused(o, error, 'INVALID_INPUT', message);
        o.assertUntouched();
      }
      assert.deepEqual(bench.store.buildRecords.list(bench.app), [], 'a refused upload leaves no build record');
      assert.deepEqual(bench.leftovers(o.work), []);
    },
  );

  test('links are kept as links (never followed); devices and FIFOs are dropped; setuid bits are dropped', async () => {
    const o = sandbox;
    const dest = join(o.work, 'kept');
    const file = writeTar(o.work, 'kept.tar', [
      { path: 'app/', type: 'Directory' },
      { path: 'app/real.txt', data: 'real' },
      { path: 'app/hard.txt', type: 'Link', linkpath: 'app/real.txt' },
      { path: 'app/abs-link', type: 'SymbolicLink', linkpath: o.secretFile },
      { path: 'app/up-link', type: 'SymbolicLink', linkpath: '../../../..' },
      { path: 'app/fifo', type: 'FIFO' },
      { path: 'app/tty', type: 'CharacterDevice' },
      { path: 'app/suid', data: '#!/bin/sh\n', mode: 0o4755 },
      // A pax name with a NUL: everything from the NUL on is dropped, so "../.." never takes effect.
      { path: 'app/nul.txt\0/../../../../etc/passwd', data: 'nul' },
    ]);
    const checker = await extractArchive(file, dest, { limits, what: 'the uploaded source' });
    assert.equal(readFileSync(join(dest, 'app/hard.txt'), 'utf8'), 'real');
    assert.equal(readlinkSync(join(dest, 'app/abs-link')), o.secretFile, 'stored verbatim, as a link');
    assert.equal(readlinkSync(join(dest, 'app/up-link')), '../../../..');
    assert.equal(
      existsSync(join(dest, 'app/fifo')) || existsSync(join(dest, 'app/tty')),
      false,
      'devices and FIFOs never reach the disk',
    );
    assert.equal(statSync(join(dest, 'app/suid')).mode & 0o7000, 0, 'no setuid bit from an upload');
    assert.equal(statSync(join(dest, 'app/suid')).uid, process.getuid!(), 'owned by the server, not by the archive');
    assert.equal(readFileSync(join(dest, 'app/nul.txt'), 'utf8'), 'nul');
    assert.deepEqual([...checker.files()].sort(), [
      'app/abs-link',
      'app/hard.txt',
      'app/nul.txt',
      'app/real.txt',
      'app/suid',
      'app/up-link',
    ]);
    assert.equal(lstatSync(join(dest, 'app/abs-link')).isSymbolicLink(), true);
    o.assertUntouched();
  });

  test('what is not a plain tar is INVALID_INPUT: text, a truncated tar, gzip inside, an empty body', async () => {
    const o = sandbox;
    const good = rawTar([{ path: 'Dockerfile', data: 'FROM scratch\n'.repeat(100) }]);
    const cases: Array<[string, Buffer, RegExp]> = [
      [
        'text',
        Buffer.from('#!/bin/sh\ntouch /tmp/x\n'.repeat(50)),
        /is not a tar archive \(its first block is not a tar header\)/,
      ],
      ['truncated', good.subarray(0, 700), /is not a tar archive/],
      ['gzip the server did not expect', gzipSync(good), /gzip-compressed data/],
      ['empty', Buffer.alloc(0), /is not a tar archive \(it is empty\)/],
    ];
    for (const [name, bytes, message] of cases) {
      const file = join(o.work, 'bad.tar');
      writeFileSync(file, bytes);
      await assert.rejects(
        extractArchive(file, join(o.work, 'bad-out'), { limits, what: 'the uploaded source' }),
        (err: Error & { code?: string; hint?: string }) => {
          assertRefused(o, err, 'INVALID_INPUT', message);
          return true;
        },
        name,
      );
    }
  });

  test('entry count and expanded size limits stop an archive with PAYLOAD_TOO_LARGE naming the variable', async () => {
    const o = sandbox;
    const many = writeTar(
      o.work,
      'many.tar',
      Array.from({ length: 30 }, (_, i) => ({ path: `f${i}`, data: 'x' })),
    );
    const { error } = await bench.build(many, { limits: { maxEntries: 20, maxExpandedBytes: 1e9 } });
    assertRefused(o, error, 'PAYLOAD_TOO_LARGE', /more than 20 files/);
    assert.match(error!.hint!, /SLIPWAY_UPLOAD_MAX_ENTRIES/);
    const big = writeTar(o.work, 'big.tar', [{ path: 'blob', data: Buffer.alloc(64 * 1024) }]);
    const tooBig = await bench.build(big, { limits: { maxEntries: 20, maxExpandedBytes: 16 * 1024 } });
    assertRefused(o, tooBig.error, 'PAYLOAD_TOO_LARGE', /more than the limit of 16 KiB/);
    assert.match(tooBig.error!.hint!, /SLIPWAY_UPLOAD_MAX_EXPANDED_BYTES/);
  });
});
