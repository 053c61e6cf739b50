import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMAIN, Harness, ROOT, get, send, uniqueApp, waitFor } from './harness.js';
import { busyboxWeb } from '../support/busybox-web.js';
import { makeTestCert } from '../../src/domains/testing/make-cert.js';

interface Cli {
  code: number;
  stdout: string;
  stderr: string;
}

const API_HOST = `slipway.${DOMAIN}`;
const TSX = import.meta.resolve('tsx');

/** A POST over TLS to 127.0.0.1 naming `host` (SNI and Host), trusting whatever certificate it presents. */
function httpsPost(port: number, host: string, path: string, body: string, headers: Record<string, string>) {
  const options = { host: '127.0.0.1', port, path, method: 'POST', servername: host, headers: { ...headers, host } };
  return send({ ...options, tls: true, rejectUnauthorized: false }, body);
}
const PASSWORD = 'correct horse battery staple';

/**
 * The remote CLI: a user on another machine (its own config dir, no SLIPWAY_HOME) logs in over HTTPS through
 * HAProxy to the API host, pinning the self-signed certificate's fingerprint, and then deploys a directory,
 * follows logs across a deploy and runs an interactive one-off exactly as on the server. A replaced certificate
 * is refused until the user logs in again; plain HTTP to the API host is redirected; the audit log shows the
 * client's address as HAProxy forwarded it and never the password.
 */
describe('remote CLI over HTTPS', () => {
  let h: Harness;
  let work = '';
  let image = '';
  let config = '';
  const app = uniqueApp('remote');

  /** The CLI on "another machine": no SLIPWAY_HOME of a server, its own config dir. */
  const remoteEnv = (): NodeJS.ProcessEnv => ({
    PATH: process.env['PATH'],
    HOME: work,
    SLIPWAY_CONFIG_DIR: config,
    SLIPWAY_HOME: join(work, 'no-server-here'),
  });
  const remote = (argv: string[], input?: string, configDir = config, cwd = ROOT): Cli => {
    // tsx by its resolved URL: the CLI may run in a directory outside the repository.
    const r = spawnSync(process.execPath, ['--import', TSX, join(ROOT, 'src', 'cli', 'bin.ts'), ...argv], {
      env: { ...remoteEnv(), SLIPWAY_CONFIG_DIR: configDir },
      cwd,
      encoding: 'utf8',
      input: input ?? '',
      timeout: 120_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const remoteOk = (argv: string[], input?: string): Cli => {
    const r = remote(argv, input);
    assert.equal(r.code, 0, `slipway ${argv.join(' ')}: ${r.stdout}\n${r.stderr}\n${h.serverLog.slice(-2000)}`);
    return r;
  };
  const apiUrl = () => `https://${API_HOST}:${h.httpsPort}`;
  const fingerprint = async (): Promise<string> =>
    (JSON.parse((await h.ok('certs', '--platform', '--json')).stdout) as { fingerprint256: string }).fingerprint256;
  const login = (fp: string, password = PASSWORD): Cli =>
    remote(
      ['login', apiUrl(), '--user', 'alice', '--password-stdin', '--fingerprint', fp, '--address', '127.0.0.1'],
      password,
    );

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'slipway-remote-'));
    config = join(work, 'config');
    image = busyboxWeb(work, `slipway-test/remote-base:${process.pid}`, 'base');
    const src = join(work, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'index.html'), 'from the laptop\n');
    writeFileSync(
      join(src, 'Dockerfile'),
      `FROM ${image}\nCOPY index.html /www/index.html\n` +
        'CMD ["/bin/sh", "-c", "echo booted-$GREETING; exec /bin/busybox httpd -f -p \\"${PORT:-8080}\\" -h /www"]\n',
    );
    h = await Harness.create();
    await h.startServer();
    const added = h.spawnCli(['users:add', 'alice', '--role', 'admin', '--password-stdin'], PASSWORD);
    assert.equal(added.code, 0, added.stderr);
  });

  after(async () => {
    h?.removeAppContainers(app);
    await h?.destroy();
    spawnSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('an unknown certificate is refused without its fingerprint; a wrong one and a wrong password too', async () => {
    const bare = remote(['login', apiUrl(), '--user', 'alice', '--password-stdin', '--address', '127.0.0.1'], PASSWORD);
    assert.equal(bare.code, 1);
    assert.match(bare.stderr, /not trusted/);
    assert.match(bare.stderr, /--fingerprint [0-9A-F:]{95}/);
    assert.ok(!existsSync(join(config, 'remotes.json')), 'nothing saved');
    const wrongFp = login('AA:'.repeat(31) + 'AA');
    assert.equal(wrongFp.code, 1);
    assert.match(wrongFp.stderr, /another fingerprint/);
    const wrongPw = login(await fingerprint(), 'not the password at all');
    assert.equal(wrongPw.code, 1);
    assert.match(wrongPw.stderr, /wrong user name or password/);
    assert.ok(!existsSync(join(config, 'remotes.json')), 'nothing saved');
  });

  test('login pins the certificate and keeps a token (mode 600), not the password', async () => {
    const r = login(await fingerprint());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /logged in to .* as alice \(admin\)/);
    assert.match(r.stdout, /certificate pinned/);
    const file = join(config, 'remotes.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const saved = readFileSync(file, 'utf8');
    assert.ok(!saved.includes(PASSWORD), 'the password is not kept');
    assert.match(saved, /"token": "slp_/);
    const list = remoteOk(['remotes']);
    assert.match(list.stdout, new RegExp(`\\*\\s+${API_HOST.replace(/\./g, '\\.')}`));
    assert.match(remoteOk(['whoami']).stdout, /alice/);
  });

  test('on a terminal, login shows the certificate and pins it after a yes, then asks the password', async () => {
    // A real pseudo-terminal (util-linux `script`): the prompts are answered when they appear.
    const tty = join(work, 'tty-config');
    const cli = ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts')].join(' ');
    const command = `${process.execPath} ${cli} login ${apiUrl()} --user alice --address 127.0.0.1 --name tty`;
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      env: { ...remoteEnv(), SLIPWAY_CONFIG_DIR: tty, TERM: 'dumb' },
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let seen = '';
    child.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
    try {
      await waitFor('the trust question', async () => seen.includes('(yes/no)'), 30_000);
      assert.match(seen, /fingerprint: SHA256 [0-9A-F:]{95}/);
      assert.match(seen, new RegExp(`names:\\s+${API_HOST.replace(/\./g, '\\.')}`));
      child.stdin.write('yes\r');
      await waitFor('the password prompt', async () => seen.includes('Password for alice:'), 30_000);
      child.stdin.write(`${PASSWORD}\r`);
      assert.equal(await exited, 0, seen);
    } finally {
      child.kill();
    }
    assert.ok(!seen.includes(PASSWORD), 'the password is not echoed');
    assert.match(seen, /logged in to .* as alice/);
    assert.match(readFileSync(join(tty, 'remotes.json'), 'utf8'), /"fingerprint": "[0-9A-F:]{95}"/);
  });

  test('deploy DIR, logs -f across a deploy and run -i work remotely', async () => {
    remoteOk(['apps:create', app]);
    // The API host is never an app's: neither as a default host nor as a custom domain.
    const taken = remote(['apps:create', 'slipway']);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /taken: slipway\.slipway\.test is Slipway's API host/);
    const domain = remote(['domains:add', '-a', app, API_HOST]);
    assert.equal(domain.code, 1);
    assert.match(domain.stderr, /is Slipway's API host/);
    const deployed = remoteOk(['deploy', '-a', app, join(work, 'src')]);
    assert.match(deployed.stdout + deployed.stderr, /v1/);
    const page = await get(h.httpPort, h.host(app));
    assert.equal(page.body, 'from the laptop\n');

    const follower = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts'), 'logs', '-a', app, '-f'],
      { env: remoteEnv(), cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let followed = '';
    follower.stdout.on('data', (d: Buffer) => (followed += d.toString()));
    follower.stderr.on('data', (d: Buffer) => (followed += d.toString()));
    try {
      await waitFor('logs -f to show the first boot', async () => followed.includes('booted-'), 30_000);
      remoteOk(['config:set', '-a', app, 'GREETING=over-https']);
      await waitFor('logs -f to show the new release boot', async () => followed.includes('booted-over-https'), 60_000);
    } finally {
      follower.kill('SIGINT');
    }

    const run = remote(['run', '-i', '-a', app, '--', 'sh', '-c', 'read line; echo "got:$line"; exit 7'], 'ping\n');
    assert.equal(run.code, 7, run.stderr);
    assert.match(run.stdout, /got:ping/);
  });

  test("git push over HTTPS through HAProxy, with the user's own password and the pinned certificate", async () => {
    const repo = join(work, 'src');
    const git = (...args: string[]) =>
      spawnSync('git', ['-C', repo, ...args], {
        encoding: 'utf8',
        env: { ...remoteEnv(), GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' },
      });
    assert.equal(git('init', '-q', '-b', 'main').status, 0);
    writeFileSync(join(repo, 'index.html'), 'pushed over https\n');
    git('add', '-A');
    assert.equal(
      git('-c', 'user.email=a@example.com', '-c', 'user.name=alice', 'commit', '-qm', 'over https').status,
      0,
    );
    const added = remote(['git:remote', '-a', app], undefined, config, repo);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, new RegExp(`${apiUrl().replace(/[.]/g, '\\.')}/git/${app}\\.git`));
    // git itself trusts the pinned certificate and reaches the login's --address: no -k, no /etc/hosts.
    const helper = `credential.helper=!f() { echo username=alice; echo "password=${PASSWORD}"; }; f`;
    const pushed = git('-c', helper, 'push', 'slipway', 'main');
    assert.equal(pushed.status, 0, pushed.stderr);
    assert.match(pushed.stderr, /remote: /);
    assert.equal((await get(h.httpPort, h.host(app))).body, 'pushed over https\n');
    const wrong = git(
      '-c',
      'credential.helper=!f() { echo username=alice; echo password=wrong-password-here; }; f',
      'push',
      'slipway',
      'main',
    );
    assert.notEqual(wrong.status, 0);
  });

  test('the audit log has the remote requests with the forwarded client address and no password', async () => {
    const { entries } = await h.api<{
      entries: Array<{ actor: string; path: string; source: string; status: number }>;
    }>('/v1/audit?limit=500');
    const remoteDeploy = entries.find((e) => e.actor === 'alice' && e.path.endsWith('/deploys'));
    assert.ok(remoteDeploy, JSON.stringify(entries.slice(0, 10)));
    assert.equal(remoteDeploy.source, '127.0.0.1 (https)');
    const failedLogin = entries.find((e) => e.path === '/v1/login' && e.status === 401);
    assert.ok(failedLogin, 'the failed login is kept');
    assert.ok(!JSON.stringify(entries).includes(PASSWORD));
  });

  test('a CI job with an app-scoped deploy token deploys an image over the remote API, and nothing else', async () => {
    const made = await h.ok('tokens:create', '--app', app, '--scope', 'deploy', '--name', 'ci', '--json');
    const { token } = JSON.parse(made.stdout) as { token: string };
    const ci = join(work, 'ci-config');
    const fp = await fingerprint();
    const args = ['login', apiUrl(), '--token-stdin', '--fingerprint', fp, '--address', '127.0.0.1', '--name', 'ci'];
    const loggedIn = remote(args, `${token}\n`, ci);
    assert.equal(loggedIn.code, 0, loggedIn.stderr);
    assert.ok(!readFileSync(join(ci, 'remotes.json'), 'utf8').includes(PASSWORD));
    const { releases } = await h.api<{ releases: Array<{ version: number; image: string }> }>(
      `/v1/apps/${app}/releases`,
    );
    const first = releases.find((r) => r.version === 1)!;
    const deployed = remote(['deploy', '-a', app, '--image', first.image], undefined, ci);
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.equal((await get(h.httpPort, h.host(app))).body, 'from the laptop\n');
    const refused = remote(['apps:create', uniqueApp('nope')], undefined, ci);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /needs a token that is not limited to app/);
  });

  test('a webhook made remotely has the HTTPS URL, and deliveries through HAProxy are verified', async () => {
    const made = JSON.parse(remoteOk(['hooks:add', '-a', app, '--provider', 'github', '--json']).stdout) as {
      url: string;
      secret: string;
    };
    const url = new URL(made.url);
    assert.equal(url.origin, apiUrl());
    assert.equal(url.pathname, `/hooks/github/${app}`);
    const body = JSON.stringify({ zen: 'hi' });
    const deliver = (signature: string) =>
      httpsPost(h.httpsPort, API_HOST, url.pathname, body, {
        'content-type': 'application/json',
        'x-github-event': 'ping',
        'x-github-delivery': `remote-${signature.slice(0, 6)}`,
        'x-hub-signature-256': `sha256=${signature}`,
      });
    const good = await deliver(createHmac('sha256', made.secret).update(body).digest('hex'));
    assert.deepEqual([good.status, good.body.trim()], [200, 'pong']);
    const bad = await deliver(createHmac('sha256', 'not the secret').update(body).digest('hex'));
    assert.equal(bad.status, 401);
  });

  test('plain HTTP to the API host is redirected to HTTPS', async () => {
    const r = await get(h.httpPort, API_HOST, '/v1/whoami');
    assert.equal(r.status, 308);
    const direct = spawnSync(
      'curl',
      [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{redirect_url}',
        '-H',
        `Host: ${API_HOST}`,
        `http://127.0.0.1:${h.httpPort}/v1/apps?x=1`,
      ],
      { encoding: 'utf8' },
    );
    if (direct.status === 0) assert.equal(direct.stdout, `https://${API_HOST}:${h.httpsPort}/v1/apps?x=1`);
  });

  test('a replaced certificate is refused until the user logs in again; --remote local still works', async () => {
    const { certFile: cert, keyFile: key } = makeTestCert(work, { cn: API_HOST, sans: [API_HOST] });
    const { certFile: other, keyFile: otherKey } = makeTestCert(work, { cn: 'elsewhere.example.com' });
    const refused = await h.cli('certs:add', '--platform', other, otherKey);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /does not cover the API host/);

    await h.ok('certs:add', '--platform', cert, key);
    const shown = JSON.parse((await h.ok('certs', '--platform', '--json')).stdout) as { selfSigned: boolean };
    assert.equal(shown.selfSigned, false);
    const stale = remote(['apps']);
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /not the one pinned at login/);
    const again = login(await fingerprint());
    assert.equal(again.code, 0, again.stderr);
    assert.match(remoteOk(['apps']).stdout, new RegExp(app));
    const local = remote(['apps', '--remote', 'local']);
    assert.equal(local.code, 1);
    assert.match(local.stderr, /no Slipway server is running/);
    remoteOk(['logout']);
    assert.equal(remote(['apps']).code, 1);
  });

  test('changing your password needs the current one and signs out the password logins', async () => {
    assert.equal(login(await fingerprint()).code, 0);
    const NEW = 'a different long passphrase';
    const bare = remote(['users:passwd', '--password-stdin'], `${NEW}\n`);
    assert.equal(bare.code, 1);
    assert.match(bare.stderr, /needs the current one/);
    const wrong = remote(['users:passwd', '--password-stdin'], `not my password at all\n${NEW}\n`);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /current password is wrong/);
    remoteOk(['users:passwd', '--password-stdin'], `${PASSWORD}\n${NEW}\n`);
    const after = remote(['apps']);
    assert.equal(after.code, 1, 'the login token was revoked');
    assert.match(after.stderr, /revoked/);
    assert.equal(login(await fingerprint(), PASSWORD).code, 1, 'the old password is gone');
    assert.equal(login(await fingerprint(), NEW).code, 0, 'the new one works');
  });
});
