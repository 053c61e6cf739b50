import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { officialImage, RUNTIMES } from './runtime-images.js';
import type { RuntimeVersion } from './types.js';
import { frameworkMinimum, lowestAllowed } from './framework-minimums.js';
import { debianVersionWarning, runtimeWarnings } from './runtime-warnings.js';
import { resolveVersion, satisfiesRange, selectRuntimeVersion, type RuntimeName } from './versions.js';

describe('resolveVersion: only versions an official bookworm image exists for', () => {
  const cases: Array<[RuntimeName, string, string]> = [
    ['node', '20', '20'],
    ['node', 'v20.11.1', '20.11.1'],
    ['node', '>=18', '22'],
    ['node', '^18.17.0', '18'],
    ['node', '>=22', '22'],
    ['node', '>=23', '25'],
    ['node', '18.x', '18'],
    ['node', '16 || 18', '18'],
    ['node', 'lts/iron', '20'],
    ['node', 'lts/hydrogen', '18'],
    ['node', 'lts/*', '22'],
    ['node', 'node', '25'],
    ['python', '>=3.9', '3.13'],
    ['python', '>=3.9,<3.12', '3.11'],
    ['python', '^3.11', '3.13'],
    ['python', '~=3.10.0', '3.10'],
    ['python', 'python-3.11.4', '3.11.4'],
    ['python', '3.14', '3.14'],
    ['python', '==3.11.*', '3.11'],
    ['ruby', 'ruby-3.2.2', '3.2.2'],
    ['ruby', '3.4.9', '3.4.9'],
    ['ruby', '~> 3.2.0', '3.2'],
    ['ruby', '>= 3.1', '3.4'],
    ['ruby', '>= 3.2, < 4.0', '3.4'],
    ['php', '^8.1', '8.4'],
    ['php', '>=8.1 <8.3', '8.2'],
    ['php', '~8.2.0', '8.2'],
    ['go', '1.22', '1.22'],
    ['go', 'go1.22.3', '1.22.3'],
  ];
  for (const [runtime, requested, expected] of cases) {
    it(`${runtime} ${requested} → ${expected}`, () =>
      assert.deepEqual(resolveVersion(runtime, requested), { version: expected }));
  }

  const refused: Array<[RuntimeName, string, string, RegExp]> = [
    ['node', '4.0.0', '18', /no official Debian bookworm image has it; using node 18/],
    ['node', '0.12.2', '18', /using node 18/],
    ['node', '30', '25', /using node 25/],
    ['node', '>=30', '25', /no node release line with an official bookworm image satisfies it; using 25/],
    ['node', '^4.0.0', '18', /using 18/],
    ['node', '20.1.0', '20', /the first node 20 release with a bookworm image is 20\.4\.0; using 20/],
    ['python', '3.11.2', '3.11', /first python 3\.11 release with a bookworm image is 3\.11\.4/],
    ['python', '2.7', '3.8', /using python 3\.8/],
  ];
  for (const [runtime, requested, expected, problem] of refused) {
    it(`${runtime} ${requested} → ${expected}, with a warning`, () => {
      const { version, problem: said } = resolveVersion(runtime, requested);
      assert.equal(version, expected);
      assert.match(said ?? '', problem);
    });
  }

  it('every line of the table makes a tag of the documented form', () => {
    assert.equal(officialImage('node', '22'), 'node:22-bookworm-slim');
    assert.equal(officialImage('python', '3.12.1'), 'python:3.12.1-slim-bookworm');
    assert.equal(officialImage('php', '8.4', 'apache'), 'php:8.4-apache-bookworm');
    for (const [name, facts] of Object.entries(RUNTIMES)) {
      assert.ok(
        facts.lines.some((l) => l.line === facts.defaultVersion),
        `${name}: the default is a line of the table`,
      );
      for (const l of facts.lines) assert.ok(l.since.startsWith(`${l.line}.`), `${name} ${l.line}: since ${l.since}`);
    }
  });
});

describe('satisfiesRange', () => {
  const cases: Array<[string, string, boolean]> = [
    ['20', '>=18', true],
    ['16', '>=18', false],
    ['3.12', '<3.12', false],
    ['3.11', '>=3.11.4', true],
    ['3.3', '~> 3.2.0', false],
    ['3.2', '~> 3.2', true],
    ['3.3', '~> 3.2', true],
    ['8.3', '^8.1', true],
    ['9.0', '^8.1', false],
    ['20', '^18 || ^20', true],
    ['18.19', '>=20', false],
    ['3.2.25', '>=6.0,<6.1', false],
    ['6.0.0', '>=6,<7', true],
    ['3.4.9', '>= 3.2, < 4.0', true],
  ];
  for (const [line, range, expected] of cases)
    it(`${line} ${expected ? 'satisfies' : 'does not satisfy'} ${range}`, () =>
      assert.equal(satisfiesRange(line, range), expected));
});

describe('selectRuntimeVersion: exact pins win over ranges', () => {
  const manifest = { value: '>=18', file: 'package.json', line: 5, reason: 'engines.node in package.json' };
  const versionFile = { value: '22.3.0', file: '.nvmrc', line: 1, reason: '.nvmrc pins node' };
  it('env override wins over everything', () => {
    const v = selectRuntimeVersion('node', { env: { SLIPWAY_NODE_VERSION: '18' }, manifest, versionFile });
    assert.deepEqual([v.requested, v.version, v.source, v.reason], ['18', '18', 'env', 'SLIPWAY_NODE_VERSION is set']);
  });
  it('an exact version file wins over a manifest range', () => {
    const v = selectRuntimeVersion('node', { env: {}, manifest, versionFile });
    assert.deepEqual([v.version, v.source, v.file, v.line], ['22.3.0', 'version-file', '.nvmrc', 1]);
  });
  it('an exact manifest value wins over nothing; a range resolves to a line', () => {
    assert.equal(selectRuntimeVersion('node', { env: {}, manifest }).version, '22');
    const exact = { ...manifest, value: '20.11.1' };
    assert.equal(selectRuntimeVersion('node', { env: {}, manifest: exact }).source, 'manifest');
  });
  it("Gemfile.lock's RUBY VERSION beats the Gemfile range (ruby-getting-started)", () => {
    const v = selectRuntimeVersion('ruby', {
      env: {},
      lock: { value: '3.4.9', file: 'Gemfile.lock', line: 248, reason: 'RUBY VERSION in Gemfile.lock' },
      manifest: { value: '>= 3.2, < 4.0', file: 'Gemfile', line: 2, reason: 'ruby directive in Gemfile' },
    });
    assert.deepEqual([v.version, v.source, v.notes], ['3.4.9', 'lockfile', undefined]);
  });
  it('a pin the manifest range does not allow is a warning', () => {
    const v = selectRuntimeVersion('node', {
      env: {},
      manifest: { ...manifest, value: '>=22' },
      versionFile: { ...versionFile, value: '20' },
    });
    assert.match(v.notes?.[0] ?? '', /\.nvmrc:1 pins node 20, which package\.json:5 does not allow \(>=22\)/);
  });
  it('engines.node 4.0.0 never becomes node:4.0.0-bookworm-slim', () => {
    const v = selectRuntimeVersion('node', { env: {}, manifest: { ...manifest, value: '4.0.0' } });
    assert.equal(v.version, '18');
    assert.match(v.officialNote ?? '', /package\.json:5 asks for node 4\.0\.0: .*using node 18; set a version .*18–25/);
  });
  it('falls back to the documented default', () => {
    const v = selectRuntimeVersion('python', { env: {} });
    assert.deepEqual([v.source, v.version, v.requested], ['default', '3.13', null]);
  });
});

describe('framework minimums', () => {
  it('reads the lowest version a requirement allows', () => {
    assert.equal(lowestAllowed('>=6.0,<6.1'), '6.0');
    assert.equal(lowestAllowed('~> 8.1.2'), '8.1.2');
    assert.equal(lowestAllowed('^4.0 || ^5.0'), '4.0');
    assert.equal(lowestAllowed('<7'), undefined);
  });
  it('Django 6 needs Python 3.12, Rails 8 Ruby 3.2', () => {
    assert.deepEqual(frameworkMinimum('django', '>=6.0,<6.1', { file: 'requirements.txt', line: 1 }), {
      version: '3.12',
      reason: 'Django 6.0 needs python ≥ 3.12',
      file: 'requirements.txt',
      line: 1,
    });
    assert.equal(frameworkMinimum('rails', '~> 8.1.2', { file: 'Gemfile' })?.version, '3.2');
    assert.equal(frameworkMinimum('django', '>=3.2', { file: 'requirements.txt' }), undefined);
    assert.equal(frameworkMinimum('express', '^4', { file: 'package.json' }), undefined);
  });
});

describe('runtime warnings', () => {
  const base: RuntimeVersion = {
    runtime: 'python',
    requested: '3.14',
    version: '3.14',
    source: 'version-file',
    file: '.python-version',
    line: 2,
    reason: '',
  };
  it('Debian is silent when it satisfies the request', () => {
    assert.equal(debianVersionWarning({ ...base, requested: '3.11.9', version: '3.11.9' }), undefined);
    assert.equal(debianVersionWarning({ ...base, runtime: 'node', requested: '>=18', version: '22' }), undefined);
  });
  it('Debian warns with a hint when it cannot', () => {
    assert.match(
      debianVersionWarning(base) ?? '',
      /installs Debian bookworm's python 3\.11, but \.python-version:2 asks for 3\.14; use --runtime official \(python:3\.14-slim-bookworm\)/,
    );
    const minimum = { version: '3.12', reason: 'Django 6.0 needs python ≥ 3.12', file: 'requirements.txt', line: 1 };
    assert.match(
      debianVersionWarning({ ...base, requested: null, source: 'default', version: '3.13', minimum }) ?? '',
      /but Django 6\.0 needs python ≥ 3\.12 \(requirements\.txt:1\)/,
    );
  });
  it('per runtime: official, debian, or both (analyze) marked; a custom official base image is not checked', () => {
    const v = { ...base, officialNote: 'official problem' };
    assert.deepEqual(runtimeWarnings(v, 'official'), ['official problem']);
    assert.equal(runtimeWarnings(v, 'debian').length, 1);
    assert.match(runtimeWarnings(v)[1] ?? '', /^with --runtime debian: runtime "debian" installs/);
    assert.deepEqual(runtimeWarnings(v, 'official', 'registry.local/python:3.14'), []);
    assert.equal(runtimeWarnings(v, 'debian', 'registry.local/debian:bookworm').length, 1);
  });
});
