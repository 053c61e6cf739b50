import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlipwayError } from '../../core/errors.js';
import { AppFiles, memoryTree } from '../read-source.js';
import { parseGemfile, parseGemfileLock } from './gemfile.js';
import { parseGoMod } from './gomod.js';
import { parseRequirements } from './python-manifests.js';

function assertInvalid(fn: () => unknown, file: string, line: number | undefined, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SlipwayError);
    assert.equal(err.code, 'INVALID_INPUT');
    assert.match(err.message, new RegExp(`^${file}${line ? `:${line}` : ''}: `));
    assert.match(err.message, message);
    return true;
  });
}

describe('parseGemfile', () => {
  it('reads gems, groups, path gems and the ruby directive', () => {
    const gemfile = parseGemfile(`source "https://rubygems.org"
ruby "3.2.2"
gem "rails", "~> 7.1"
gem 'mylib', path: 'vendor/mylib'
gem "pg" if ENV["DB"] == "pg"
group :development, :test do
  gem "debug", platforms: %i[ mri ]
end
gem "rspec", group: :test
platforms :jruby do
  gem "jdbc"
end
`);
    assert.deepEqual(gemfile.ruby, { value: '3.2.2', line: 2 });
    assert.deepEqual(gemfile.gems, [
      { name: 'rails', line: 3, groups: [], requirement: '~> 7.1' },
      { name: 'mylib', line: 4, groups: [], path: 'vendor/mylib' },
      { name: 'pg', line: 5, groups: [] },
      { name: 'debug', line: 7, groups: ['development', 'test'] },
      { name: 'rspec', line: 9, groups: ['test'] },
      { name: 'jdbc', line: 11, groups: [] },
    ]);
  });
  it('reads every requirement of the ruby directive (ruby-getting-started)', () =>
    assert.deepEqual(parseGemfile("ruby '>= 3.2', '< 4.0'\ngem 'puma', '>= 7.0', require: false\n"), {
      gems: [{ name: 'puma', line: 2, groups: [], requirement: '>= 7.0' }],
      gemspec: false,
      ruby: { value: '>= 3.2, < 4.0', line: 1 },
    }));
  it('reads ruby file:', () =>
    assert.deepEqual(parseGemfile('ruby file: ".ruby-version"\n').ruby, { file: '.ruby-version', line: 1 }));
  it('rejects an unquoted gem name', () =>
    assertInvalid(() => parseGemfile('gem rails\n'), 'Gemfile', 1, /cannot read gem declaration/));
  it('rejects an unterminated string', () =>
    assertInvalid(() => parseGemfile('gem "rails\n'), 'Gemfile', 1, /cannot read gem declaration/));
  it('rejects a stray end', () =>
    assertInvalid(() => parseGemfile('gem "a"\nend\n'), 'Gemfile', 2, /unexpected "end"/));
  it('rejects an unclosed block', () =>
    assertInvalid(() => parseGemfile('group :test do\n  gem "a"\n'), 'Gemfile', 1, /never closed/));
});

describe('parseGemfileLock', () => {
  it('collects specs and the ruby version', () => {
    const lock = parseGemfileLock(
      'PATH\n  remote: vendor/mylib\n  specs:\n    mylib (0.1.0)\n\nGEM\n  remote: ' +
        'https://rubygems.org/\n  specs:\n    pg (1.5.6)\n    puma (6.4.2)\n' +
        '      nio4r (~> 2.0)\n    nio4r (2.7.1)\n\nRUBY VERSION\n   ruby 3.2.2p53\n',
    );
    assert.deepEqual(lock, { specs: ['mylib', 'nio4r', 'pg', 'puma'], ruby: { value: '3.2.2', line: 15 } });
  });
  it('rejects an unknown section', () =>
    assertInvalid(() => parseGemfileLock('GEM\n  specs:\nnonsense\n'), 'Gemfile.lock', 3, /unknown section/));
});

describe('parseGoMod', () => {
  it('reads module, go, toolchain and requirements', () => {
    const mod = parseGoMod(
      'module example.com/x\n\ngo 1.22.1\ntoolchain go1.22.3\n\nrequire github.com/lib/pq v1.10.9\n' +
        'require (\n\tgolang.org/x/sys v0.1.0 // indirect\n)\n// comment\nreplace a => ../a\n',
    );
    assert.equal(mod.module, 'example.com/x');
    assert.deepEqual(mod.go, { value: '1.22.1', line: 3 });
    assert.deepEqual(mod.toolchain, { value: '1.22.3', line: 4 });
    assert.deepEqual(mod.requires, [
      { path: 'github.com/lib/pq', version: 'v1.10.9', line: 6, indirect: false },
      { path: 'golang.org/x/sys', version: 'v0.1.0', line: 8, indirect: true },
    ]);
  });
  it('rejects an unknown directive', () =>
    assertInvalid(() => parseGoMod('module a\nrequires x v1\n'), 'go.mod', 2, /unknown directive "requires"/));
  it('rejects an unclosed block', () =>
    assertInvalid(() => parseGoMod('module a\nrequire (\n x v1\n'), 'go.mod', 2, /never closed/));
  it('rejects a missing module', () =>
    assertInvalid(() => parseGoMod('go 1.22\n'), 'go.mod', undefined, /no module directive/));
});

describe('parseRequirements', () => {
  const files = new AppFiles(
    memoryTree({
      'app/requirements.txt':
        '# comment\n-r base.txt\n--index-url https://example.com/simple\nDjango[bcrypt]>=5.0 ; ' +
        'python_version >= "3.10"  # inline\nrequests \\\n  >=2\n-e ./libs/editable\n' +
        './vendor/mylib\ngit+https://example.com/x.git#egg=Some_Pkg\nthing @ file:///srv/thing\n',
      'app/base.txt': 'psycopg2-binary==2.9.9\n',
    }),
    'app',
  );
  it('understands includes, options, extras, markers, continuations and local paths', async () => {
    const result = await parseRequirements(files, 'requirements.txt');
    assert.deepEqual(result.files, ['requirements.txt', 'base.txt']);
    assert.deepEqual(result.requirements, [
      { name: 'psycopg2-binary', spec: '==2.9.9', file: 'app/base.txt', line: 1 },
      { name: 'django', spec: '>=5.0 ; python_version >= "3.10"', file: 'app/requirements.txt', line: 4 },
      { name: 'requests', spec: '>=2', file: 'app/requirements.txt', line: 5 },
      { path: 'libs/editable', file: 'app/requirements.txt', line: 7 },
      { path: 'vendor/mylib', file: 'app/requirements.txt', line: 8 },
      { name: 'some-pkg', file: 'app/requirements.txt', line: 9 },
      { name: 'thing', path: '/srv/thing', file: 'app/requirements.txt', line: 10 },
    ]);
  });
  it('rejects a line that is not a requirement, naming the line', async () => {
    const bad = new AppFiles(memoryTree({ 'requirements.txt': 'flask\nflask is great\n' }), '');
    await assert.rejects(parseRequirements(bad, 'requirements.txt'), /requirements\.txt:2: not a requirement/);
  });
  it('rejects a missing -r include', async () => {
    const bad = new AppFiles(memoryTree({ 'requirements.txt': '-r missing.txt\n' }), '');
    await assert.rejects(parseRequirements(bad, 'requirements.txt'), /missing\.txt: file not found/);
  });
});
