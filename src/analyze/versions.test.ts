import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  debianVersionWarning,
  resolveVersion,
  satisfiesRange,
  selectRuntimeVersion,
  type RuntimeName,
} from './versions.js';

describe('resolveVersion', () => {
  const cases: Array<[RuntimeName, string, string]> = [
    ['node', '20', '20'],
    ['node', 'v20.11.1', '20.11.1'],
    ['node', '>=18', '20'],
    ['node', '^18.17.0', '18'],
    ['node', '>=22', '22'],
    ['node', '18.x', '18'],
    ['node', '16 || 18', '18'],
    ['node', 'lts/iron', '20'],
    ['node', 'lts/hydrogen', '18'],
    ['node', 'lts/*', '20'],
    ['python', '>=3.9', '3.12'],
    ['python', '>=3.9,<3.12', '3.11'],
    ['python', '^3.11', '3.12'],
    ['python', '~=3.10.0', '3.10'],
    ['python', 'python-3.11.4', '3.11.4'],
    ['python', '==3.11.*', '3.11'],
    ['ruby', 'ruby-3.2.2', '3.2.2'],
    ['ruby', '~> 3.2.0', '3.2'],
    ['ruby', '>= 3.1', '3.3'],
    ['php', '^8.1', '8.3'],
    ['php', '>=8.1 <8.3', '8.2'],
    ['php', '~8.2.0', '8.2'],
    ['go', '1.22', '1.22'],
    ['go', 'go1.22.3', '1.22.3'],
  ];
  for (const [runtime, requested, expected] of cases) {
    it(`${runtime} ${requested} → ${expected}`, () => {
      const warnings: string[] = [];
      assert.equal(resolveVersion(runtime, requested, warnings), expected);
      assert.deepEqual(warnings, []);
    });
  }

  it('warns and uses the literal when no known line satisfies the range', () => {
    const warnings: string[] = [];
    assert.equal(resolveVersion('node', '>=30', warnings), '30');
    assert.match(warnings[0] ?? '', /no known node release line satisfies ">=30"/);
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
  ];
  for (const [line, range, expected] of cases)
    it(`${line} ${expected ? 'satisfies' : 'does not satisfy'} ${range}`, () =>
      assert.equal(satisfiesRange(line, range), expected));
});

describe('selectRuntimeVersion precedence', () => {
  const manifest = { value: '>=18', file: 'package.json', line: 5, reason: 'engines.node in package.json' };
  const versionFile = { value: '22', file: '.nvmrc', line: 1, reason: '.nvmrc pins node' };
  it('env override wins over everything', () => {
    const v = selectRuntimeVersion('node', { env: { SLIPWAY_NODE_VERSION: '18' }, manifest, versionFile }, []);
    assert.deepEqual(v, {
      runtime: 'node',
      requested: '18',
      version: '18',
      source: 'env',
      reason: 'SLIPWAY_NODE_VERSION is set',
    });
  });
  it('manifest wins over version files', () => {
    const v = selectRuntimeVersion('node', { env: {}, manifest, versionFile }, []);
    assert.equal(v.source, 'manifest');
    assert.equal(v.version, '20');
    assert.equal(v.file, 'package.json');
    assert.equal(v.line, 5);
  });
  it('version file wins over the default', () => {
    assert.equal(selectRuntimeVersion('node', { env: {}, versionFile }, []).version, '22');
  });
  it('falls back to the documented default', () => {
    const v = selectRuntimeVersion('python', { env: {} }, []);
    assert.equal(v.source, 'default');
    assert.equal(v.version, '3.12');
    assert.equal(v.requested, null);
  });
});

describe('debianVersionWarning', () => {
  it('is silent when Debian satisfies the request', () => {
    assert.equal(
      debianVersionWarning({
        runtime: 'node',
        requested: '>=18',
        version: '20',
        source: 'manifest',
        file: 'package.json',
        reason: '',
      }),
      undefined,
    );
    assert.equal(
      debianVersionWarning({
        runtime: 'python',
        requested: '3.11.9',
        version: '3.11.9',
        source: 'version-file',
        file: '.python-version',
        reason: '',
      }),
      undefined,
    );
  });
  it('warns when Debian cannot satisfy it', () => {
    const warning = debianVersionWarning({
      runtime: 'ruby',
      requested: '3.2.2',
      version: '3.2.2',
      source: 'manifest',
      file: 'Gemfile',
      line: 3,
      reason: '',
    });
    assert.match(warning ?? '', /Debian bookworm's ruby 3\.1, but Gemfile:3 asks for 3\.2\.2/);
  });
});
