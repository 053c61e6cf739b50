import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { benchHooks, writeTar, type BuildBench, type RawEntry, type Sandbox } from './helpers.js';

const DEBIAN = process.env['SLIPWAY_TEST_DEBIAN_IMAGE'] ?? 'slipway/debian:bookworm';

/**
 * Member names shaped like options of tar, git and docker (`--use-compress-program=…`,
 * `--to-command=…`, `--checkpoint-action=exec=…`, `-I…`, `-T/etc/passwd`, names starting with `-`)
 * used everywhere a name from the upload reaches Slipway: the `dockerfile` and `buildFile` query
 * options and a build.yml `dockerfile:` value. Each would create a marker file outside if anything
 * ever ran it; each build goes through the real extraction and the real Docker Engine.
 */
describe('argument injection: names from an upload never become options or commands', () => {
  let o: Sandbox;
  let bench: BuildBench;
  let names: string[];

  benchHooks((s, b) => {
    o = s;
    bench = b;
    names = [
      `--use-compress-program=sh -c 'touch ${o.pwned(1)}'`,
      `--to-command=touch ${o.pwned(2)}`,
      `--checkpoint=1 --checkpoint-action=exec=touch ${o.pwned(3)}`,
      `-Itouch ${o.pwned(4)}`,
      `--rsh-command=touch ${o.pwned(5)}`,
      '-T/etc/passwd',
      '-',
    ];
  });

  const dockerfile = `FROM ${DEBIAN}\nLABEL slipway.test=injection\n`;

  test('as the Dockerfile named by the dockerfile option: built as a plain file name', async () => {
    const entries: RawEntry[] = names.map((path) => ({ path, data: dockerfile }));
    const file = writeTar(o.work, 'dockerfiles.tar', entries);
    for (const name of names) {
      const { error } = await bench.build(file, { dockerfile: name });
      assert.equal(error, undefined, `${name}: ${error?.message}`);
    }
    for (let i = 1; i <= 5; i++) assert.equal(existsSync(o.pwned(i)), false, `marker ${i}`);
    o.assertUntouched();
  });

  test('as the build file (buildFile) and as a build.yml dockerfile: value', async () => {
    const entries: RawEntry[] = [];
    for (const [i, name] of names.entries()) {
      entries.push({ path: name, data: dockerfile });
      entries.push({ path: `pipe-${i}.yml`, data: `steps:\n  only: { dockerfile: ${JSON.stringify(name)} }\n` });
    }
    const file = writeTar(o.work, 'pipelines.tar', entries);
    for (const [i, name] of names.entries()) {
      const viaStep = await bench.build(file, { build: { buildFile: `pipe-${i}.yml` } });
      assert.equal(viaStep.error, undefined, `${name}: ${viaStep.error?.message}`);
    }
    // A build file itself named like an option: read in-process as a file; it is valid YAML here.
    const named = writeTar(o.work, 'named.tar', [
      { path: names[0]!, data: 'steps:\n  only: { dockerfile: Dockerfile }\n' },
      { path: 'Dockerfile', data: dockerfile },
    ]);
    const viaName = await bench.build(named, { build: { buildFile: names[0]! } });
    assert.equal(viaName.error, undefined, viaName.error?.message);
    for (let i = 1; i <= 5; i++) assert.equal(existsSync(o.pwned(i)), false, `marker ${i}`);
    o.assertUntouched();
  });

  test('option values that leave the directory are refused with INVALID_INPUT before anything is read', async () => {
    const file = writeTar(o.work, 'plain.tar', [{ path: 'Dockerfile', data: dockerfile }]);
    for (const [opts, message] of [
      [{ dockerfile: '/etc/passwd' }, /--dockerfile "\/etc\/passwd" is an absolute path/],
      [{ dockerfile: '../../etc/passwd' }, /--dockerfile "\.\.\/\.\.\/etc\/passwd" contains "\.\."/],
      [{ build: { buildFile: '../build.yml' } }, /--file "\.\.\/build\.yml" contains "\.\."/],
      [{ options: { caCert: '-----BEGIN CERTIFICATE-----' } }, /the CA certificate is not a build option/],
      [{ options: { '--runtime': 'x' } }, /unknown build option/],
    ] as const) {
      const { error } = await bench.build(file, opts);
      assert.equal(error?.['code'], 'INVALID_INPUT', JSON.stringify(opts));
      assert.match(error!.message, message);
      assert.ok(error!.hint);
    }
    const pipeline = writeTar(o.work, 'pipeline.tar', [
      { path: 'build.yml', data: 'steps:\n  a: { dockerfile: /etc/passwd }\n  b: { dockerfile: ../../x }\nfinal: a\n' },
    ]);
    const { error } = await bench.build(pipeline);
    assert.equal(error?.['code'], 'INVALID_INPUT');
    assert.match(
      error!.message,
      /steps\.a\.dockerfile: must be a path inside the source directory \(it is an absolute path\)/,
    );
    assert.match(
      error!.message,
      /steps\.b\.dockerfile: must be a path inside the source directory \(it contains "\.\."\)/,
    );
  });
});
