import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configAsksLiveRestore, runningDockerdPid, withLiveRestore, writeLiveRestore } from './live-restore.js';
import { planSetup, isDefaultDockerHost, type HostFacts } from './host-checks.js';

describe('withLiveRestore (daemon.json merge)', () => {
  it('adds live-restore and keeps every other setting and its order', () => {
    const out = withLiveRestore(
      '{"log-driver":"json-file","storage-driver":"overlay2","live-restore":false}',
      '/etc/docker/daemon.json',
    );
    assert.equal(out.changed, true);
    assert.deepEqual(Object.entries(JSON.parse(out.text) as object), [
      ['log-driver', 'json-file'],
      ['storage-driver', 'overlay2'],
      ['live-restore', true],
    ]);
  });

  it('creates the setting from nothing, and changes nothing when it is already on', () => {
    assert.deepEqual(JSON.parse(withLiveRestore(null, 'f').text), { 'live-restore': true });
    assert.deepEqual(JSON.parse(withLiveRestore('  \n', 'f').text), { 'live-restore': true });
    const on = '{ "live-restore": true, "debug": true }\n';
    assert.deepEqual(withLiveRestore(on, 'f'), { text: on, changed: false });
  });

  it('refuses a file that is not a JSON object, naming it, with a hint', () => {
    for (const bad of ['{"live-restore": tru', '[1,2]', '"x"', 'null']) {
      assert.throws(
        () => withLiveRestore(bad, '/etc/docker/daemon.json'),
        (err: { code: string; message: string; hint: string }) => {
          assert.equal(err.code, 'INVALID_INPUT');
          assert.match(err.message, /\/etc\/docker\/daemon\.json is not a JSON object/);
          assert.match(err.hint, /nothing was changed/);
          return true;
        },
        bad,
      );
    }
  });
});

describe('writeLiveRestore', () => {
  it('writes the merged file in place with its mode kept, and leaves a bad file untouched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-live-restore-'));
    try {
      const file = join(dir, 'docker', 'daemon.json');
      assert.equal(configAsksLiveRestore(file), false);
      assert.equal(writeLiveRestore(file), true, 'created with its directory');
      assert.equal(configAsksLiveRestore(file), true);
      assert.equal(writeLiveRestore(file), false, 'nothing to do the second time');
      writeFileSync(file, '{"debug":true}');
      chmodSync(file, 0o600);
      assert.equal(writeLiveRestore(file), true);
      assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { debug: true, 'live-restore': true });
      assert.equal(statSync(file).mode & 0o777, 0o600);
      writeFileSync(file, '{oops');
      assert.throws(() => writeLiveRestore(file), { code: 'INVALID_INPUT' });
      assert.equal(readFileSync(file, 'utf8'), '{oops');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds no dockerd from a missing or bogus pidfile', () => {
    assert.equal(runningDockerdPid('/nonexistent/docker.pid'), undefined);
    const dir = mkdtempSync(join(tmpdir(), 'slipway-pid-'));
    try {
      for (const text of ['', 'abc', '1', '-5', '999999999']) {
        writeFileSync(join(dir, 'docker.pid'), text);
        assert.equal(runningDockerdPid(join(dir, 'docker.pid')), undefined, text);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('planSetup: live-restore', () => {
  const ready: HostFacts = {
    dockerdInstalled: true,
    dockerAnswering: true,
    haproxyVersion: '2.6.12',
    systemHaproxyActive: false,
    homeReady: true,
    aptAvailable: true,
    liveRestore: true,
    liveRestoreConfigured: true,
    localEngine: true,
  };
  const kinds = (facts: Partial<HostFacts>) => planSetup({ ...ready, ...facts }).map((s) => s.kind);

  it('turns it on for a running engine without it, before anything is started for an engine that is down', () => {
    assert.deepEqual(kinds({}), []);
    assert.deepEqual(kinds({ liveRestore: false, liveRestoreConfigured: false }), ['enable-live-restore']);
    assert.deepEqual(kinds({ dockerAnswering: false, liveRestore: null, liveRestoreConfigured: false }), [
      'enable-live-restore',
      'start-dockerd',
    ]);
    assert.deepEqual(kinds({ dockerAnswering: false, liveRestore: null, liveRestoreConfigured: true }), [
      'start-dockerd',
    ]);
    assert.match(
      planSetup({ ...ready, liveRestore: false }).find((s) => s.kind === 'enable-live-restore')!.why,
      /keep running while dockerd restarts/,
    );
  });

  it("leaves an engine that is not this host's default dockerd alone", () => {
    assert.deepEqual(kinds({ liveRestore: false, localEngine: false }), []);
    assert.equal(isDefaultDockerHost(undefined), true);
    assert.equal(isDefaultDockerHost('unix:///var/run/docker.sock'), true);
    assert.equal(isDefaultDockerHost('unix:///tmp/other/docker.sock'), false);
    assert.equal(isDefaultDockerHost('tcp://10.0.0.5:2375'), false);
  });
});
