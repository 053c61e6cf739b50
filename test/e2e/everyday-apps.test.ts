import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, ROOT, BASE_IMAGE, get, uniqueApp, waitFor } from './harness.js';
import { startLoad, summarize } from './load.js';
import { makeTestCert } from '../../src/domains/testing/make-cert.js';
import type { AppInfo } from '../../src/apps/app-info.js';
import type { ReleaseInfo } from '../../src/apps/release-info.js';

const SLOW_APP = join(ROOT, 'test', 'e2e', 'fixtures', 'slow-app');

/** Config values that break naive quoting (MARKER: a file that must never be created). */
const HOSTILE: Record<string, string> = {
  QUOTE: "it's a 'quoted' value",
  DOLLAR: '$(touch MARKER) `touch MARKER` ${HOME} $HOME',
  NEWLINES: 'line one\nline two\n',
  BACKSLASH: 'C:\\path\\ \\n \\\\',
  SHELL: '; rm -rf / && echo pwned | cat > MARKER',
  DOUBLE: '"double" and \\"escaped\\"',
  BANG: '!! !$ history',
  EMPTY: '',
  UNICODE: 'grüße — 日本',
};

/** apps:create/deploy URLs, config:get, config --shell, releases -n / releases:info, apps:info, apps:rename. */
describe('everyday app commands (real Docker, real HAProxy)', () => {
  let h: Harness;
  let dir: string;
  const app = uniqueApp('day');
  const renamed = uniqueApp('ren');
  const other = uniqueApp('oth');
  const third = uniqueApp('thr');
  const custom = `www.${app}.example.test`;
  let values: Record<string, string> = {};
  const url = (host: string, scheme = 'http') => `${scheme}://${host}:${scheme === 'http' ? h.httpPort : h.httpsPort}/`;
  const labelled = (name: string) =>
    execFileSync(
      'docker',
      ['ps', '-q', '--filter', `label=slipway.app=${name}`, '--filter', `label=slipway.instance`],
      {
        encoding: 'utf8',
      },
    )
      .split('\n')
      .filter(Boolean).length;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-e2e-day-'));
    h = await Harness.create();
    await h.startServer();
  });

  after(async () => {
    h.removeAppContainers(app, renamed, other, third);
    await h.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('apps:create and deploy print the URL; https once a certificate covers the host', async () => {
    const created = await h.ok('apps:create', app);
    assert.equal(created.stdout, `created ${app}; it answers (once deployed) at\n  ${url(h.host(app))}\n`);
    await h.ok('apps:settings:set', '-a', app, 'healthcheck.path=/health');
    await h.ok('domains:add', '-a', app, custom);
    const cert = makeTestCert(dir, { cn: h.host(app), sans: [h.host(app)] });
    await h.ok('certs:add', '-a', app, cert.certFile, cert.keyFile);
    const deployed = await h.ok('deploy', '-a', app, SLOW_APP, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`);
    assert.match(deployed.stdout, new RegExp(`^deployed ${app} v1 in \\d+\\.\\d+s; it answers at\\n`));
    assert.ok(
      deployed.stdout.endsWith(`  ${url(h.host(app), 'https')}\n  ${url(h.host(app))}\n  ${url(custom)}\n`),
      deployed.stdout,
    );
  });

  test('config:get prints a value, exits 1 when unset; config --shell survives eval of hostile values', async () => {
    const marker = join(dir, 'MARKER');
    values = Object.fromEntries(Object.entries(HOSTILE).map(([k, v]) => [k, v.replaceAll('MARKER', marker)]));
    await h.ok('config:set', '-a', app, ...Object.entries(values).map(([k, v]) => `${k}=${v}`));
    assert.equal((await h.ok('config:get', '-a', app, 'NEWLINES')).stdout, `${values['NEWLINES']}\n`);
    const unset = h.spawnCli(['config:get', '-a', app, 'NOPE']);
    assert.equal(unset.code, 1);
    assert.equal(unset.stdout, '');
    assert.match(unset.stderr, /error: NOPE is not set/);

    const shell = h.spawnCli(['config', '-a', app, '--shell']);
    assert.equal(shell.code, 0, shell.stderr);
    const keys = Object.keys(values).sort();
    // Every value back through the shell, NUL-separated: byte for byte what was set.
    const printed = execFileSync(
      'bash',
      ['--norc', '--noprofile', '-c', `eval "$SLIPWAY_CONFIG"; printf '%s\\0' ${keys.map((k) => `"$${k}"`).join(' ')}`],
      { env: { PATH: process.env['PATH'], SLIPWAY_CONFIG: shell.stdout }, encoding: 'utf8', cwd: dir },
    );
    assert.deepEqual(
      printed.split('\0').slice(0, -1),
      keys.map((k) => values[k]),
    );
    execFileSync('sh', ['-c', `eval "$SLIPWAY_CONFIG"`], { env: { SLIPWAY_CONFIG: shell.stdout }, cwd: dir });
    assert.equal(existsSync(marker), false, 'nothing in a value ran');
  });

  test('releases -n N and releases:info vN: build, image, config names, status, the deployment timeline', async () => {
    const all = JSON.parse((await h.ok('releases', '-a', app, '--json')).stdout) as { version: number }[];
    assert.deepEqual(
      all.map((r) => r.version),
      [2, 1],
    );
    const one = JSON.parse((await h.ok('releases', '-a', app, '-n', '1', '--json')).stdout) as { version: number }[];
    assert.deepEqual(
      one.map((r) => r.version),
      [2],
    );
    assert.match((await h.cli('releases', '-a', app, '-n', 'zero')).stderr, /-n must be a number of releases/);
    const info = JSON.parse((await h.ok('releases:info', '-a', app, 'v2', '--json')).stdout) as ReleaseInfo;
    assert.equal(info.release.current, true);
    assert.deepEqual(info.release.configKeys, Object.keys(values).sort());
    assert.match(info.build.imageRef, new RegExp(`^slipway/${app}:build-`));
    assert.equal(info.build.record?.status, 'succeeded');
    const deploy = info.deployments.find((d) => d.deployment.kind === 'deploy')!;
    assert.equal(deploy.deployment.status, 'succeeded');
    assert.ok(
      deploy.timeline.some((s) => s.ok === true && /router reports web\.1@v2 UP/.test(s.text)),
      'timeline',
    );
    const text = (await h.ok('releases:info', '-a', app, '2')).stdout;
    assert.match(text, /^=== v2 of /);
    assert.match(text, /config: +BACKSLASH, BANG, DOLLAR/);
    assert.match(text, /--- deployment #\d+ \(deploy\): succeeded in \d+\.\d+s/);
    assert.ok(!text.includes('pwned'), 'config values are never shown');
    const missing = await h.cli('releases:info', '-a', app, 'v9');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /release v9 of .* does not exist/);
  });

  test('apps:info: URLs, release and build, formation, settings, domains, certificate, limits', async () => {
    const info = JSON.parse((await h.ok('apps:info', '-a', app, '--json')).stdout) as AppInfo;
    assert.deepEqual(
      info.urls.map((u) => u.url),
      [url(h.host(app), 'https'), url(h.host(app)), url(custom)],
    );
    assert.equal(info.release?.version, 2);
    assert.match(info.release?.build?.id ?? '', /./);
    assert.deepEqual(info.formation, { web: 1 });
    assert.deepEqual(info.processes, { total: 1, byState: { running: 1 } });
    assert.equal(info.settings.healthcheck, 'GET /health');
    assert.deepEqual(info.resources['web'], { memoryBytes: 512 * 1024 * 1024, pids: 512 });
    assert.deepEqual(
      info.domains.map((d) => d.host),
      [h.host(app), custom],
    );
    // makeTestCert's certificates are valid for 30 days.
    assert.ok(info.certificate && [29, 30].includes(info.certificate.expiresInDays), JSON.stringify(info.certificate));
    assert.equal(info.maintenance.enabled, false);
    assert.deepEqual(info.problems, []);
    const text = (await h.ok('apps:info', app)).stdout;
    for (const expected of [
      `=== ${app}`,
      `URLs:         ${url(h.host(app), 'https')}`,
      /Release: +v2 \(succeeded\) Config: set /,
      /Formation: +web=1/,
      /Certificate: +.* — expires .* \(in \d+ days\)/,
      /Maintenance: +off/,
      /Problems: +none/,
    ])
      assert.match(text, typeof expected === 'string' ? new RegExp(expected.replace(/[.:/()]/g, '\\$&')) : expected);
  });

  test('apps:rename under load: the custom domain never fails, everything follows, the old host stops', async (t) => {
    await h.ok('apps:create', other);
    const exists = await h.cli('apps:rename', app, other);
    assert.equal(exists.code, 1);
    assert.match(exists.stderr, new RegExp(`app "${other}" already exists`));
    // Refused while the app deploys (v3 starts slowly on purpose).
    const deploying = h.ok('config:set', '-a', app, 'STARTUP_DELAY_MS=1500');
    await waitFor('the deploy of v3 to run', async () =>
      (await h.api<{ deployments: { status: string }[] }>(`/v1/apps/${app}/deployments`)).deployments.some(
        (d) => d.status === 'running',
      ),
    );
    const locked = await h.cli('apps:rename', app, renamed);
    assert.equal(locked.code, 1);
    assert.match(locked.stderr, /has a deployment in progress/);
    await deploying;
    const run = startLoad({ port: h.httpPort, host: custom, keepAliveClients: 4, newConnectionClients: 2 });
    let renamedOut = '';
    try {
      renamedOut = (await h.ok('apps:rename', app, renamed)).stdout;
    } finally {
      await run.stop();
    }
    const summary = summarize(run.samples);
    t.diagnostic(
      `rename: ${renamedOut.split('\n')[0]}; ${summary.total} requests on ${custom}, ${summary.failed} failed`,
    );
    assert.ok(summary.total > 30, `${summary.total} requests`);
    assert.deepEqual(
      { failed: summary.failed, non2xx: summary.non2xx },
      { failed: 0, non2xx: 0 },
      summary.failures.join('\n'),
    );
    assert.match(renamedOut, new RegExp(`^renamed ${app} to ${renamed} in .*\\(1 container\\(s\\) replaced`));
    assert.equal((await get(h.httpPort, h.host(renamed))).status, 200);
    assert.equal((await get(h.httpPort, h.host(app))).status, 404, 'the old default host stops answering');
    assert.equal(labelled(renamed), 1);
    assert.equal(labelled(app), 0, 'no container carries the old name');
    assert.equal((await h.ok('config:get', '-a', renamed, 'QUOTE')).stdout, "it's a 'quoted' value\n");
    const info = JSON.parse((await h.ok('apps:info', '-a', renamed, '--json')).stdout) as AppInfo;
    assert.equal(info.release?.version, 3);
    assert.deepEqual(info.renamedFrom && [info.renamedFrom.name, info.renamedFrom.relabelled], [app, true]);
    assert.deepEqual(
      info.domains.map((d) => d.host),
      [h.host(renamed), custom],
    );
    assert.match(info.release?.image ?? '', new RegExp(`^slipway/${renamed}:build-`));
    assert.ok(info.certificate, 'the certificate followed');
    const logs = (await h.ok('logs', '-a', renamed, '-n', '1000')).stdout;
    assert.match(logs, /slow-app v1 listening/, 'the log history followed (archived lines)');
    assert.match(logs, /slow-app v3 listening/, "the replaced containers' lines were archived under the new name");
    assert.equal((await h.cli('apps:info', '-a', app)).code, 1);
  });

  test('a server killed in the middle of a rename finishes the relabelling when it starts again', async () => {
    await h.stopServer();
    await h.startServer({ SLIPWAY_FAILPOINT: 'after-route-add:1' });
    const run = startLoad({ port: h.httpPort, host: custom, keepAliveClients: 4, newConnectionClients: 2 });
    try {
      const crashed = await h.cli('apps:rename', renamed, third);
      assert.notEqual(crashed.code, 0, 'the server died mid-rename');
      await h.startServer();
      assert.equal(labelled(renamed), 0, 'the relabelling was finished at start-up');
      assert.equal(labelled(third), 1);
      await waitFor('the new name to answer', async () => (await get(h.httpPort, h.host(third))).status === 200);
    } finally {
      await run.stop();
    }
    const summary = summarize(run.samples);
    assert.deepEqual(
      { failed: summary.failed, non2xx: summary.non2xx },
      { failed: 0, non2xx: 0 },
      summary.failures.join('\n'),
    );
    const info = JSON.parse((await h.ok('apps:info', '-a', third, '--json')).stdout) as AppInfo;
    assert.deepEqual([info.renamedFrom?.name, info.renamedFrom?.relabelled, info.problems], [renamed, true, []]);
    const ps = JSON.parse((await h.ok('ps', '-a', third, '--json')).stdout) as { routerServers: unknown[] };
    assert.equal(ps.routerServers.length, 1, 'only the new container is in the backend');
  });
});
