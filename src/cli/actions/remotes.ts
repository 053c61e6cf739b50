import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { SlipwayError } from '../../core/errors.js';
import { flag, has } from '../args.js';
import { table } from '../reporter.js';
import { ApiClient } from '../api-client.js';
import type { CommandContext, CommandRuns } from '../command.js';
import { fetchPeerCertificate, type PeerCertificate } from '../remote-tls.js';
import { LOCAL, REMOTE_NAME_RE, normalizeFingerprint, readRemotes, writeRemotes, type Remote } from '../remotes.js';
import { ask, canPrompt, readSecretStdin } from '../secret-input.js';
import type { TokenInfo, User } from '../../store/user-repository.js';

const LOGIN_USAGE = 'slipway login https://slipway.example.com [--user NAME] (or --token-stdin)';

/** The remote's URL: HTTPS (plain HTTP only to this machine), no path, no credentials. */
function remoteUrl(raw: string | undefined): URL {
  let url: URL;
  try {
    url = new URL(raw ?? '');
  } catch {
    throw new SlipwayError('INVALID_INPUT', raw ? `not a URL: ${JSON.stringify(raw.slice(0, 100))}` : 'which server?', {
      hint: LOGIN_USAGE,
    });
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new SlipwayError('INVALID_INPUT', 'a remote is reached over https:// (a token never travels in clear text)', {
      hint: LOGIN_USAGE,
    });
  if (url.username || url.password)
    throw new SlipwayError('INVALID_INPUT', 'put no credentials in the URL', { hint: LOGIN_USAGE });
  return new URL(url.origin);
}

/** Trust for a certificate no public CA vouches for: the fingerprint given, or the user's yes, like SSH. */
async function pinCertificate(
  ctx: CommandContext,
  url: URL,
  peer: PeerCertificate,
): Promise<Pick<Remote, 'fingerprint' | 'certificate'>> {
  if (peer.authorized) return {};
  const given = flag(ctx.args, 'fingerprint');
  const out = (line: string) => process.stderr.write(`${line}\n`);
  if (given !== undefined) {
    const wanted = normalizeFingerprint(given);
    if (!wanted)
      throw new SlipwayError(
        'INVALID_INPUT',
        '--fingerprint is a SHA-256 fingerprint (64 hex digits, colons optional)',
        {
          hint: 'as `slipway certs --platform` prints it on the server',
        },
      );
    if (wanted !== peer.fingerprint)
      throw new SlipwayError('UNAUTHORIZED', `${url.host} presented a certificate with another fingerprint`, {
        hint:
          'someone may be in between, or the certificate was replaced: check it on the server ' +
          '(slipway certs --platform)',
        details: { expected: wanted, presented: peer.fingerprint },
      });
    return { fingerprint: peer.fingerprint, certificate: peer.pem };
  }
  if (!canPrompt())
    throw new SlipwayError(
      'UNAUTHORIZED',
      `the certificate of ${url.host} is not trusted (${peer.reason ?? 'unknown'})`,
      {
        hint:
          `check its fingerprint on the server (slipway certs --platform) and pass it: ` +
          `slipway login ${url.origin} --fingerprint ${peer.fingerprint}`,
        details: { fingerprint: peer.fingerprint, subject: peer.subject },
      },
    );
  out(`The certificate of ${url.host} is not signed by a public CA (${peer.reason ?? 'untrusted'}).`);
  out(`  subject:     ${peer.subject}`);
  out(`  issuer:      ${peer.issuer}`);
  out(`  names:       ${peer.names.join(', ') || '(none)'}`);
  out(`  expires:     ${peer.validTo}`);
  out(`  fingerprint: SHA256 ${peer.fingerprint}`);
  out('Compare the fingerprint with `slipway certs --platform` on the server.');
  const answer = (await ask('Trust this certificate and pin it for this remote? (yes/no) ')).trim().toLowerCase();
  if (answer !== 'yes' && answer !== 'y')
    throw new SlipwayError('ABORTED', 'not logged in: the certificate was not trusted');
  return { fingerprint: peer.fingerprint, certificate: peer.pem };
}

/** A token for the remote: piped, or made from the user's password. */
async function credentials(
  ctx: CommandContext,
  probe: (token: string) => ApiClient,
): Promise<{ token: string; tokenId?: number }> {
  if (has(ctx.args, 'token-stdin'))
    return { token: (await readSecretStdin(`echo "$TOKEN" | ${LOGIN_USAGE}`, 'the token')).trim() };
  let user = flag(ctx.args, 'user');
  if (user === undefined && !has(ctx.args, 'password-stdin')) {
    if (!canPrompt())
      throw new SlipwayError('INVALID_INPUT', 'login needs --user NAME (with --password-stdin) or --token-stdin here', {
        hint: 'echo "$SLIPWAY_TOKEN" | slipway login URL --token-stdin',
      });
    user = (await ask('User (leave empty to paste a token instead): ')).trim();
    if (user === '') return { token: (await ask('Token: ', { hidden: true })).trim() };
  }
  if (!user) throw new SlipwayError('INVALID_INPUT', '--password-stdin needs --user NAME', { hint: LOGIN_USAGE });
  const password = has(ctx.args, 'password-stdin')
    ? await readSecretStdin(`echo "$PASSWORD" | slipway login URL --user ${user} --password-stdin`)
    : canPrompt()
      ? await ask(`Password for ${user}: `, { hidden: true })
      : (() => {
          throw new SlipwayError('INVALID_INPUT', 'no terminal to ask the password on', {
            hint: `echo "$PASSWORD" | slipway login URL --user ${user} --password-stdin`,
          });
        })();
  const { token, info } = await probe('').json<{ token: string; info: TokenInfo }>('POST', '/v1/login', {
    user,
    password,
    client: hostname().slice(0, 60),
  });
  return { token, tokenId: info.id };
}

function defaultName(url: URL): string {
  const name = url.hostname
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-')
    .replace(/^[^a-z0-9]+/, '');
  return (name || 'remote').slice(0, 63);
}

export const runs = {
  async login(ctx) {
    const [raw, ...extra] = ctx.args.positionals;
    if (extra.length > 0) throw new SlipwayError('INVALID_INPUT', 'name one server', { hint: LOGIN_USAGE });
    const url = remoteUrl(raw);
    const name = flag(ctx.args, 'name') ?? defaultName(url);
    if (!REMOTE_NAME_RE.test(name) || name === LOCAL)
      throw new SlipwayError('INVALID_INPUT', `not a remote name: ${JSON.stringify(name.slice(0, 60))}`, {
        hint: 'lowercase letters, digits, ".", "_" or "-" (and not "local"): --name prod',
      });
    const address = flag(ctx.args, 'address');
    if (address !== undefined && isIP(address) === 0)
      throw new SlipwayError('INVALID_INPUT', '--address is an IP address', { hint: '--address 203.0.113.7' });
    const pin =
      url.protocol === 'https:' ? await pinCertificate(ctx, url, await fetchPeerCertificate(url, address)) : {};
    const conn = { name, ...pin, ...(address ? { address } : {}) };
    const client = (token: string) => new ApiClient(url, token, conn);
    const { token, tokenId } = await credentials(ctx, client);
    const me = await client(token).json<{ user: User; token: TokenInfo }>('GET', '/v1/whoami');
    const data = readRemotes();
    data.remotes[name] = {
      url: url.origin,
      token,
      user: me.user.name,
      ...pin,
      ...(address ? { address } : {}),
      ...(tokenId !== undefined ? { tokenId } : {}),
    };
    data.current = name;
    writeRemotes(data);
    const result = {
      remote: name,
      url: url.origin,
      user: me.user.name,
      role: me.user.role,
      pinned: pin.fingerprint ?? null,
    };
    if (ctx.json) return ctx.output.out(JSON.stringify(result, null, 2));
    ctx.output.out(
      `logged in to ${url.origin} as ${me.user.name} (${me.user.role}); remote ${name} is now the current one`,
    );
    if (pin.fingerprint) ctx.output.out(`certificate pinned: SHA256 ${pin.fingerprint}`);
  },
  async logout(ctx) {
    const data = readRemotes();
    const name = ctx.args.positionals[0] ?? data.current;
    const remote = name ? data.remotes[name] : undefined;
    if (!name || !remote)
      throw new SlipwayError(
        'NOT_FOUND',
        name ? `no remote ${JSON.stringify(name.slice(0, 60))}` : 'no current remote',
        {
          hint: 'see `slipway remotes`',
        },
      );
    let revoked = false;
    if (remote.tokenId !== undefined) {
      const client = new ApiClient(new URL(remote.url), remote.token, { name, ...remote });
      revoked = await client.json('DELETE', `/v1/tokens/${remote.tokenId}`).then(
        () => true,
        () => false,
      );
    }
    delete data.remotes[name];
    if (data.current === name) delete data.current;
    writeRemotes(data);
    ctx.output.out(`logged out of ${name}${revoked ? ' (its token was revoked)' : ''}`);
    if (remote.tokenId !== undefined && !revoked)
      ctx.output.err(
        `warning: the server did not revoke the token (id ${remote.tokenId}); it stays valid until it expires — ` +
          'revoke it there: slipway tokens:revoke ' +
          String(remote.tokenId),
      );
  },
  async remotes(ctx) {
    const data = readRemotes();
    const rows = [
      {
        current: data.current === undefined || data.current === LOCAL ? '*' : '',
        name: LOCAL,
        url: '(this machine: SLIPWAY_HOME)',
        user: '',
        pinned: '',
      },
      ...Object.entries(data.remotes).map(([name, r]) => ({
        current: data.current === name ? '*' : '',
        name,
        url: r.url,
        user: r.user,
        pinned: r.fingerprint ? `SHA256 ${r.fingerprint.slice(0, 23)}…` : '',
      })),
    ];
    if (ctx.json)
      return ctx.output.out(
        JSON.stringify(
          Object.entries(data.remotes).map(([name, r]) => ({
            name,
            url: r.url,
            user: r.user,
            current: data.current === name,
            fingerprint: r.fingerprint ?? null,
            address: r.address ?? null,
          })),
          null,
          2,
        ),
      );
    ctx.output.out(
      table(rows, [
        { key: 'current', title: '' },
        { key: 'name', title: 'remote' },
        { key: 'url', title: 'url' },
        { key: 'user', title: 'user' },
        { key: 'pinned', title: 'pinned certificate' },
      ]),
    );
  },
  async 'remotes:use'(ctx) {
    const [name, ...extra] = ctx.args.positionals;
    if (!name || extra.length > 0)
      throw new SlipwayError('INVALID_INPUT', 'which remote?', { hint: 'slipway remotes:use NAME' });
    const data = readRemotes();
    if (name !== LOCAL && !data.remotes[name])
      throw new SlipwayError('NOT_FOUND', `no remote ${JSON.stringify(name.slice(0, 60))}`, {
        hint: `known: ${[LOCAL, ...Object.keys(data.remotes)].join(', ')}; add one with slipway login URL`,
      });
    if (name === LOCAL) delete data.current;
    else data.current = name;
    writeRemotes(data);
    ctx.output.out(
      `commands now run against ${name === LOCAL ? "this machine's server" : `${name} (${data.remotes[name]!.url})`}`,
    );
  },
} satisfies CommandRuns;
