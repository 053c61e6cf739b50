import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openStore } from '../store/store.js';
import { AuthService } from './auth-service.js';
import { isSlipwayError } from '../core/errors.js';

const code = (c: string, message: RegExp) => (err: unknown) =>
  isSlipwayError(err) && err.code === c && message.test(err.message);

test("the home's token is the first admin's, and again whenever no admin has a usable full token", () => {
  const store = openStore(':memory:', randomBytes(32));
  try {
    const auth = new AuthService(store);
    auth.bootstrap('home-token');
    const p = auth.authenticate('Bearer home-token');
    assert.deepEqual([p.user.name, p.user.role, p.token.name, p.token.scope], ['admin', 'admin', 'local', 'admin']);
    assert.throws(() => auth.revokeToken(p, p.token.id), code('INVALID_INPUT', /last full admin token/));
    const second = auth.createToken(p, { name: 'second' });
    auth.revokeToken(p, p.token.id);
    assert.throws(() => auth.authenticate('Bearer home-token'), code('UNAUTHORIZED', /revoked/));
    auth.bootstrap('home-token');
    assert.throws(
      () => auth.authenticate('Bearer home-token'),
      code('UNAUTHORIZED', /revoked/),
      'an admin token is live',
    );
    store.users.revoke(second.info.id, new Date().toISOString());
    auth.bootstrap('home-token');
    assert.equal(auth.authenticate('Bearer home-token').token.name, 'local', 'recovered at the next start');
    assert.equal(store.users.list().length, 1);
  } finally {
    store.close();
  }
});

test('tokens are kept as hashes, refused when unknown, and made only by full tokens', () => {
  const store = openStore(':memory:', randomBytes(32));
  try {
    const auth = new AuthService(store);
    auth.bootstrap('home-token');
    const admin = auth.authenticate('Bearer home-token');
    const { token, info } = auth.createToken(admin, { scope: 'read', expires: '1h' });
    assert.match(token, /^slp_[A-Za-z0-9_-]{43}$/);
    assert.equal(info.prefix, token.slice(0, 12));
    const rows = JSON.stringify(store.db.prepare('SELECT * FROM tokens').all());
    assert.ok(!rows.includes(token) && !rows.includes('home-token'));
    const reader = auth.authenticate(`Bearer ${token}`);
    assert.throws(() => auth.createToken(reader, {}), code('FORBIDDEN', /scope admin/));
    assert.throws(() => auth.authenticate('Bearer slp_nope'), code('UNAUTHORIZED', /wrong API token/));
    assert.throws(() => auth.authenticate(undefined), code('UNAUTHORIZED', /no API token/));
    for (const expires of ['0s', 'soon', '10y'])
      assert.throws(() => auth.createToken(admin, { expires }), code('INVALID_INPUT', /not a duration/), expires);
  } finally {
    store.close();
  }
});
