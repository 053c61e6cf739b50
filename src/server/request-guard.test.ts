import { test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import {
  assertAllowedHost,
  authenticate,
  decodePathParam,
  intQuery,
  loopbackHosts,
  pairsQuery,
} from './request-guard.js';
import { SlipwayError } from '../core/errors.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as http.IncomingMessage;

test("only the API's own loopback names are answered (DNS rebinding)", () => {
  const allowed = new Set(loopbackHosts(7331));
  for (const host of ['127.0.0.1:7331', 'localhost:7331', 'LOCALHOST:7331', '[::1]:7331'])
    assert.doesNotThrow(() => assertAllowedHost(req({ host }), allowed), host);
  for (const host of [
    'evil.example',
    'evil.example:7331',
    '127.0.0.1:80',
    '127.0.0.1',
    'localhost.evil.example:7331',
    '127.0.0.1:7331.evil',
    '',
  ]) {
    assert.throws(
      () => assertAllowedHost(req(host ? { host } : {}), allowed),
      (err: unknown) => err instanceof SlipwayError && err.code === 'HOST_NOT_ALLOWED' && !!err.hint,
      host,
    );
  }
  assert.deepEqual(loopbackHosts(80).slice(0, 2), ['127.0.0.1', '127.0.0.1:80']);
});

test('the bearer token of a server without users is compared whole', () => {
  assert.equal(authenticate('Bearer s3cret', 's3cret'), true);
  for (const auth of ['Bearer s3cre', 'Bearer s3cret2', 'bearer s3cret', 's3cret', '', undefined])
    assert.equal(authenticate(auth, 's3cret'), false, auth);
});

test('malformed %-escapes and bad numbers are input errors, not server errors', () => {
  assert.equal(decodePathParam('a%20b'), 'a b');
  assert.throws(() => decodePathParam('%E0%A4%A'), { code: 'INVALID_INPUT' });
  assert.throws(() => decodePathParam('%zz'), { code: 'INVALID_INPUT' });
  const q = (s: string) => new URLSearchParams(s);
  assert.equal(intQuery(q(''), 'tail', { min: 0, max: 10, fallback: 5 }), 5);
  assert.equal(intQuery(q('tail=7'), 'tail', { min: 0, max: 10, fallback: 5 }), 7);
  for (const bad of ['tail=abc', 'tail=-1', 'tail=11', 'tail=1e3', 'tail=0x5', 'tail=5.5'])
    assert.throws(() => intQuery(q(bad), 'tail', { min: 0, max: 10, fallback: 5 }), { code: 'INVALID_INPUT' }, bad);
});

test('repeated KEY=VALUE query parameters: one parser, values may contain "=", a bare word is refused', () => {
  const query = new URLSearchParams([
    ['buildArg', 'A=1'],
    ['buildArg', 'URL=postgres://u:p@h/db?x=y'],
    ['buildArg', 'EMPTY='],
    ['env', 'X=2'],
  ]);
  assert.deepEqual(pairsQuery(query, 'buildArg'), { A: '1', URL: 'postgres://u:p@h/db?x=y', EMPTY: '' });
  assert.deepEqual(pairsQuery(query, 'none'), {});
  const proto = pairsQuery(new URLSearchParams([['env', '__proto__=x']]), 'env');
  assert.equal(Object.getPrototypeOf(proto), Object.prototype, 'a __proto__ key is a plain key');
  assert.equal(proto['__proto__'], 'x');
  for (const bad of ['NOEQUALS', '=value']) {
    assert.throws(
      () => pairsQuery(new URLSearchParams([['buildArg', bad]]), 'buildArg'),
      (err: unknown) => err instanceof SlipwayError && err.code === 'INVALID_INPUT' && /KEY=VALUE/.test(err.message),
    );
  }
});
