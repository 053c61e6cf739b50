import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePipeline } from '../../src/image-build/pipeline/schema.js';
import { parseSlipwayYml } from '../../src/analyze/slipway-yml.js';
import { analyzeTree } from '../../src/analyze/analyze.js';
import { memoryTree } from '../../src/analyze/read-source.js';
import { assertPemCertificates } from '../../src/analyze/build-options.js';
import { makeTestCert } from '../../src/domains/testing/make-cert.js';

/**
 * Everything Slipway parses from an upload is bounded: YAML alias bombs ("billion laughs"), deep
 * nesting, oversized manifests and too many build steps are INVALID_INPUT naming the file, with a
 * hint — never a hang, an out-of-memory or a 500.
 */

/** A YAML document whose aliases expand 9^8 times (about 43 million nodes) when resolved. */
function billionLaughs(tail: string): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (const [prev, name] of [
    ['a', 'b'],
    ['b', 'c'],
    ['c', 'd'],
    ['d', 'e'],
    ['e', 'f'],
    ['f', 'g'],
    ['g', 'h'],
  ]) {
    lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return `${lines.join('\n')}\n${tail}`;
}

type Refusal = Error & { code?: string; hint?: string };

function refused(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: Refusal) => {
    assert.equal(err.code, 'INVALID_INPUT', err.message);
    assert.match(err.message, message);
    assert.ok(err.hint, 'a hint');
    return true;
  });
}

test('YAML alias bombs in build.yml and slipway.yml are INVALID_INPUT naming the file', () => {
  refused(
    () => parsePipeline(billionLaughs('steps:\n  a: { args: { X: *h } }\n'), {}, 'build.yml'),
    /build\.yml is invalid: it uses YAML aliases too much/,
  );
  refused(
    () => parseSlipwayYml(billionLaughs('processes: { web: x }\nport: 80\n'), 'apps/api/slipway.yml'),
    /apps\/api\/slipway\.yml: uses YAML aliases too much/,
  );
});

test('a Rails database.yml alias bomb and malformed manifests are refused naming the file', async () => {
  const rails = {
    Gemfile: "source 'https://rubygems.org'\ngem 'rails'\n",
    'config/database.yml': billionLaughs('production: *h\n'),
  };
  await assert.rejects(analyzeTree(memoryTree(rails)), (err: Refusal) => {
    assert.equal(err.code, 'INVALID_INPUT');
    assert.match(err.message, /config\/database\.yml: uses YAML aliases too much/);
    return true;
  });
  for (const [files, message] of [
    [{ 'package.json': '['.repeat(100_000) }, /package\.json(:\d+)?: not valid JSON/],
    [{ 'pyproject.toml': `a = ${'['.repeat(100_000)}` }, /pyproject\.toml(:\d+)?: not valid TOML/],
    [
      { 'package.json': `{"name":"x","description":"${'x'.repeat(5 * 1024 * 1024)}"}` },
      /package\.json: larger than 4096 KiB/,
    ],
    [
      { Gemfile: "gem 'rails'\n", 'config/database.yml': 'production: ['.repeat(1) + 'x'.repeat(2 * 1024 * 1024) },
      /config\/database\.yml: larger than 1024 KiB/,
    ],
  ] as const) {
    await assert.rejects(
      analyzeTree(memoryTree(files as Record<string, string>)),
      (err: Refusal) => {
        assert.equal(err.code, 'INVALID_INPUT', err.message);
        assert.match(err.message, message);
        assert.ok(err.hint);
        return true;
      },
      JSON.stringify(Object.keys(files)),
    );
  }
});

test('build.yml: more steps than the limit, deep nesting and an oversized file are refused', () => {
  const steps = Array.from({ length: 51 }, (_, i) => `  s${i}: {}`).join('\n');
  refused(() => parsePipeline(`steps:\n${steps}\nfinal: s0\n`, {}), /steps: 51 steps, more than the limit of 50/);
  refused(() => parsePipeline(`steps: ${'['.repeat(50_000)}`, {}), /build\.yml is invalid/);
  refused(() => parsePipeline(`# ${'x'.repeat(1024 * 1024)}\nsteps:\n  a: {}\n`, {}), /larger than 1024 KiB/);
  assert.equal(
    parsePipeline(`steps:\n${steps.split('\n').slice(0, 50).join('\n')}\nfinal: s0\n`, {}).final,
    's0',
    '50 steps are fine',
  );
});

test('--ca-cert content: PEM certificates only, each an X.509 certificate, bounded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-pem-'));
  try {
    const a = makeTestCert(dir, { cn: 'A' });
    const b = makeTestCert(dir, { cn: 'B' });
    assertPemCertificates(`${a.cert}\n${b.cert}`, 'ca.crt');
    const cases: Array<[string, RegExp]> = [
      [`# my proxy\n${a.cert}`, /has text that is not a certificate before line 2/],
      [`${a.cert}trailing words\n`, /has text that is not a certificate after line/],
      [`${a.cert}${a.key}`, /only CERTIFICATE blocks are allowed \(never a private key\)/],
      ['-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----\n', /block 1 \(line 1\) is not base64/],
      [
        '-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n',
        /block 1 \(line 1\) is not an X\.509 certificate/,
      ],
      ['just text\n', /is not a PEM certificate/],
      [a.cert.repeat(2000), /is larger than 1024 KiB/],
    ];
    for (const [text, message] of cases) refused(() => assertPemCertificates(text, 'ca.crt'), message);
    // The message never quotes the file's text.
    assert.throws(
      () => assertPemCertificates(`SECRET-MARKER\n${a.cert}`, 'ca.crt'),
      (err: Error) => !err.message.includes('SECRET-MARKER'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
