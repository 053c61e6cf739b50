import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySettingChanges, assertValidSettings, parseAssignments, settingsProblems } from './app-settings.js';
import { DEFAULT_RESOURCES, DEFAULT_SETTINGS, resourceLimitsFor } from '../core/types.js';
import { SlipwayError } from '../core/errors.js';

test('applies dotted keys with type coercion, leaving the input untouched', () => {
  const next = applySettingChanges(DEFAULT_SETTINGS, {
    'healthcheck.path': '/health',
    'healthcheck.attempts': '5',
    'drain.timeout': '2000',
    port: '8080',
  });
  assert.equal(next.healthcheck.path, '/health');
  assert.equal(next.healthcheck.attempts, 5);
  assert.equal(next.drainTimeoutMs, 2000);
  assert.equal(next.port, 8080);
  assert.equal(DEFAULT_SETTINGS.healthcheck.path, undefined);
});

test('an empty healthcheck.path returns to the TCP check', () => {
  const withPath = applySettingChanges(DEFAULT_SETTINGS, { 'healthcheck.path': '/up' });
  assert.equal(applySettingChanges(withPath, { 'healthcheck.path': '' }).healthcheck.path, undefined);
});

const bad: [Record<string, string>, RegExp][] = [
  [{ 'healthcheck.nope': '1' }, /unknown setting "healthcheck.nope"/],
  [{ port: '70000' }, /^port:/],
  [{ port: 'abc' }, /^port:/],
  [{ 'healthcheck.path': 'health' }, /must start with "\/"/],
  [{ 'healthcheck.attempts': '0' }, /^healthcheck.attempts:/],
];
for (const [changes, message] of bad) {
  test(`rejects ${JSON.stringify(changes)}`, () => {
    assert.throws(
      () => applySettingChanges(DEFAULT_SETTINGS, changes),
      (err: unknown) =>
        err instanceof SlipwayError && err.code === 'INVALID_INPUT' && message.test(err.message) && !!err.hint,
    );
  });
}

test('parseAssignments splits on the first "=" and never echoes a malformed word', () => {
  assert.deepEqual(parseAssignments(['A=1', 'B=x=y', 'C='], 'config:set'), { A: '1', B: 'x=y', C: '' });
  assert.throws(
    () => parseAssignments(['hunter2'], 'config:set'),
    (err: unknown) => err instanceof SlipwayError && !err.message.includes('hunter2'),
  );
});

test('durations accept units; stop.grace keeps seconds for a bare number', () => {
  const next = applySettingChanges(DEFAULT_SETTINGS, {
    'drain.timeout': '30s',
    'healthcheck.interval': '500ms',
    'stop.grace': '1m',
    'bluegreen.window': '10m',
  });
  assert.equal(next.drainTimeoutMs, 30_000);
  assert.equal(next.healthcheck.intervalMs, 500);
  assert.equal(next.stopGraceSec, 60);
  assert.equal(next.warmWindowMs, 600_000);
  assert.equal(applySettingChanges(DEFAULT_SETTINGS, { 'stop.grace': '15' }).stopGraceSec, 15);
});

test('log rotation and resource limits, per process type or for every type', () => {
  const next = applySettingChanges(DEFAULT_SETTINGS, {
    'logs.max-size': '5m',
    'logs.max-files': '2',
    'resources.memory': '256m',
    'resources.web.memory': '1g',
    'resources.web.cpu': '0.5',
    'resources.worker.pids': '64',
  });
  assert.deepEqual(next.logs, { maxSizeBytes: 5 * 1024 ** 2, maxFiles: 2 });
  assert.deepEqual(resourceLimitsFor(next, 'web'), { memoryBytes: 1024 ** 3, pids: 512, cpus: 0.5 });
  assert.deepEqual(resourceLimitsFor(next, 'worker'), { memoryBytes: 256 * 1024 ** 2, pids: 64 });
  assert.deepEqual(resourceLimitsFor(next, 'clock'), { memoryBytes: 256 * 1024 ** 2, pids: 512 });
  const cleared = applySettingChanges(next, { 'resources.web.memory': '', 'resources.web.cpu': '' });
  assert.equal(Object.hasOwn(cleared.resources, 'web'), false, 'an emptied entry goes away');
  assert.deepEqual(resourceLimitsFor(DEFAULT_SETTINGS, 'web'), DEFAULT_RESOURCES);
});

const badMore: [Record<string, string>, RegExp][] = [
  [{ 'healthcheck.path': '/a b' }, /^healthcheck.path:/],
  [{ 'healthcheck.path': '/x#y' }, /^healthcheck.path:/],
  [{ 'healthcheck.path': '/"' }, /^healthcheck.path:/],
  [{ 'drain.timeout': '2 weeks' }, /not a duration/],
  [{ 'resources.memory': '1m' }, /must be between/],
  [{ 'resources.web.memory': 'lots' }, /not a size/],
  [{ 'resources.Web.cpu': '1' }, /not a process type/],
  [{ 'resources.web.swap': '1' }, /unknown setting/],
  [{ 'resources.a.b.memory': '1g' }, /unknown setting/],
  [JSON.parse('{"__proto__":"1"}') as Record<string, string>, /unknown setting "__proto__"/],
  [{ constructor: '1' }, /unknown setting "constructor"/],
  [{ toString: '1' }, /unknown setting "toString"/],
  [{ 'logs.max-files': '0' }, /^logs.max-files:/],
];
for (const [changes, message] of badMore) {
  test(`rejects ${Object.keys(changes).join(',')}=${Object.values(changes).join(',')} with a hint`, () => {
    assert.throws(
      () => applySettingChanges(DEFAULT_SETTINGS, changes),
      (err: unknown) =>
        err instanceof SlipwayError && err.code === 'INVALID_INPUT' && message.test(err.message) && !!err.hint,
    );
  });
}

test(
  'stored settings are checked whole: a value saved by an older ' +
    'version that no longer validates is reported by its path',
  () => {
    assert.deepEqual(settingsProblems(DEFAULT_SETTINGS), []);
    const stored = {
      ...DEFAULT_SETTINGS,
      healthcheck: { ...DEFAULT_SETTINGS.healthcheck, path: '/bad path' },
      port: 0,
    };
    const problems = settingsProblems(stored);
    assert.ok(
      problems.some((p) => p.startsWith('healthcheck.path:')),
      problems.join('; '),
    );
    assert.ok(
      problems.some((p) => p.startsWith('port:')),
      problems.join('; '),
    );
    assert.throws(() => assertValidSettings(stored as typeof DEFAULT_SETTINGS), { code: 'INVALID_INPUT' });
  },
);

test('parseAssignments keeps a "__proto__" key as an own property', () => {
  const out = parseAssignments(['__proto__=x'], 'config:set');
  assert.equal(Object.hasOwn(out, '__proto__'), true);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
});

test('restart modes per process type (restart.TYPE) and for every type (restart); empty removes', async () => {
  const { restartModeFor } = await import('../core/types.js');
  const next = applySettingChanges(DEFAULT_SETTINGS, { 'restart.worker': 'on-failure', restart: 'never' });
  assert.deepEqual(next.restart, { worker: 'on-failure', '*': 'never' });
  assert.equal(restartModeFor(next, 'worker'), 'on-failure');
  assert.equal(restartModeFor(next, 'web'), 'never');
  assert.equal(restartModeFor(DEFAULT_SETTINGS, 'web'), 'always');
  assert.deepEqual(applySettingChanges(next, { restart: '', 'restart.worker': '' }).restart, {});
  assert.deepEqual(DEFAULT_SETTINGS.restart, {}, 'the defaults are untouched');
  for (const [changes, message] of [
    [{ 'restart.web': 'sometimes' }, /^restart.web: must be always, on-failure, never \(got "sometimes"\)/],
    [{ 'restart.Web': 'always' }, /"Web" is not a process type name/],
    [{ 'restart.constructor.x': 'always' }, /is not a process type name/],
  ] as const) {
    assert.throws(
      () => applySettingChanges(DEFAULT_SETTINGS, changes),
      (err: unknown) => err instanceof SlipwayError && message.test(err.message) && !!err.hint,
    );
  }
  assert.deepEqual(settingsProblems({ ...DEFAULT_SETTINGS, restart: { web: 'sometimes' } }).length, 1);
});

test('build.* settings: validated, removable, the CA certificate only forgotten here', () => {
  let s = applySettingChanges(DEFAULT_SETTINGS, {
    'build.runtime': 'debian',
    'build.base-image': 'registry.local:5000/node:22',
    'build.path': 'apps/api',
  });
  assert.deepEqual(s.build, { runtime: 'debian', baseImage: 'registry.local:5000/node:22', path: 'apps/api' });
  s = applySettingChanges(s, { 'build.runtime': '', 'build.path': '' });
  assert.deepEqual(s.build, { baseImage: 'registry.local:5000/node:22' });
  s = applySettingChanges(s, { 'build.base-image': '' });
  assert.equal(s.build, undefined, 'no empty build object is kept');
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ 'build.runtime': 'alpine' }, /^build\.runtime: /],
    [{ 'build.base-image': 'Bad Image' }, /^build\.base-image: must be an image reference/],
    [{ 'build.base-image': 'node:22\nRUN rm -rf /' }, /^build\.base-image: /],
    [{ 'build.path': '../other' }, /^build\.path: must be a path inside the deployed directory/],
    [{ 'build.ca-cert': '/etc/ssl/certs/ca.crt' }, /^build\.ca-cert: the certificate is set by a deploy/],
  ];
  for (const [change, message] of bad)
    assert.throws(
      () => applySettingChanges(DEFAULT_SETTINGS, change),
      (err: unknown) => err instanceof SlipwayError && message.test(err.message) && Boolean(err.hint),
    );
  const withCa = { ...DEFAULT_SETTINGS, build: { caCert: { sha256: 'a'.repeat(64), certificates: 1, bytes: 900 } } };
  assert.equal(applySettingChanges(withCa, { 'build.ca-cert': '' }).build, undefined);
});

test('git.branch: the deploy branch of git push, a plain branch name', () => {
  assert.equal(DEFAULT_SETTINGS.git, undefined);
  const next = applySettingChanges(DEFAULT_SETTINGS, { 'git.branch': 'release/v2' });
  assert.deepEqual(next.git, { branch: 'release/v2' });
  assert.equal(DEFAULT_SETTINGS.git, undefined, 'the defaults are not changed');
  for (const bad of ['-f', 'a..b', 'x.lock', 'a b', '', 'a//b', 'end/'])
    assert.throws(() => applySettingChanges(DEFAULT_SETTINGS, { 'git.branch': bad }), /git\.branch/, bad);
});
