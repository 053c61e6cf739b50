import { SlipwayError } from '../core/errors.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGitPath } from './git-http.js';
import { principalFromBasic } from '../auth/basic-auth.js';
import { TOKEN_PRINCIPAL } from '../server/request-guard.js';

test('git HTTP paths: the smart endpoints of a valid app name, nothing else', () => {
  const q = (text = '') => new URLSearchParams(text);
  assert.deepEqual(parseGitPath('GET', '/git/shop.git/info/refs', q('service=git-receive-pack')), {
    app: 'shop',
    rest: 'info/refs',
    service: 'git-receive-pack',
  });
  assert.equal(parseGitPath('POST', '/git/shop.git/git-upload-pack', q()).service, 'git-upload-pack');
  assert.throws(() => parseGitPath('GET', '/git/shop.git/info/refs', q()), /smart HTTP/);
  assert.throws(() => parseGitPath('GET', '/git/shop.git/HEAD', q()), /not a git endpoint/);
  assert.throws(() => parseGitPath('GET', '/git/shop.git/objects/info/packs', q()), /not a git endpoint/);
  assert.throws(() => parseGitPath('GET', '/git/shop.git/git-receive-pack', q()), /smart HTTP/);
  assert.throws(() => parseGitPath('POST', '/git/..%2Fx.git/git-receive-pack', q()), /invalid app name/);
  assert.throws(() => parseGitPath('POST', '/git/Shop.git/git-receive-pack', q()), /invalid app name/);
});

test('Basic credentials: any user name, a token as the password; anything else is UNAUTHORIZED', async () => {
  const seen: string[] = [];
  const auth = (bearer: string) => {
    seen.push(bearer);
    return TOKEN_PRINCIPAL;
  };
  const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
  assert.equal(await principalFromBasic(basic('anyone:slp_abc'), auth), TOKEN_PRINCIPAL);
  assert.equal(await principalFromBasic(basic(':slp_a:b'), auth), TOKEN_PRINCIPAL);
  assert.deepEqual(seen, ['Bearer slp_abc', 'Bearer slp_a:b']);
  for (const header of [undefined, '', 'Bearer slp_abc', basic('user'), basic('user:'), 'Basic !!!'])
    await assert.rejects(
      () => principalFromBasic(header, auth),
      (err: Error & { code?: string }) => err.code === 'UNAUTHORIZED',
    );
  assert.equal(seen.length, 2);
});

test("a user's own name and password when the password is no token; never a token-shaped one", async () => {
  const refuse = () => {
    throw new SlipwayError('UNAUTHORIZED', 'missing or wrong API token');
  };
  const checked: string[] = [];
  const check = async (user: string, password: string) => {
    checked.push(`${user}:${password}`);
    return password === 'right password' ? TOKEN_PRINCIPAL : undefined;
  };
  const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
  assert.equal(await principalFromBasic(basic('alice:right password'), refuse, check), TOKEN_PRINCIPAL);
  await assert.rejects(() => principalFromBasic(basic('alice:wrong'), refuse, check), /wrong user name or password/);
  await assert.rejects(() => principalFromBasic(basic('alice:slp_x'), refuse, check), /wrong API token/);
  await assert.rejects(() => principalFromBasic(basic(':right password'), refuse, check), /wrong API token/);
  await assert.rejects(() => principalFromBasic(basic('alice:right password'), refuse), /wrong API token/);
  assert.deepEqual(checked, ['alice:right password', 'alice:wrong']);
});
