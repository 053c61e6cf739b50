import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOGIN_FAILURES_ALLOWED, LOGIN_WINDOW_MS, LoginLimiter, addressKey } from './login-limiter.js';

test('attempts count from their start: concurrent guesses cannot all pass; a success is taken back', () => {
  let now = 1_000_000;
  const limiter = new LoginLimiter(() => now);
  const started = Array.from({ length: LOGIN_FAILURES_ALLOWED }, () => limiter.begin('alice', '192.0.2.1'));
  assert.ok(started.every((keys) => keys !== undefined));
  assert.equal(limiter.begin('alice', '192.0.2.9'), undefined, 'the user is over the limit, from any address');
  assert.equal(limiter.begin('bob', '192.0.2.1'), undefined, 'the address is over the limit, for any user');
  assert.ok(limiter.begin('bob', '192.0.2.2'), 'others are not');
  limiter.succeeded(started[0]!);
  assert.ok(limiter.begin('alice', '192.0.2.3'), 'a success gave one back');
  now += LOGIN_WINDOW_MS;
  assert.ok(limiter.begin('alice', '192.0.2.1'), 'the window passed');
});

test('IPv6 clients are counted per /64; IPv4 and mapped addresses as they are', () => {
  assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:DB8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('203.0.113.9 (https)'), '203.0.113.9');
  assert.equal(addressKey('::ffff:203.0.113.9'), '::ffff:203.0.113.9');
  const limiter = new LoginLimiter();
  for (let i = 0; i < LOGIN_FAILURES_ALLOWED; i++) assert.ok(limiter.begin(`user${i}`, `2001:db8:1:2::${i + 1}`));
  assert.equal(limiter.begin('another', '2001:db8:1:2::ffff'), undefined, 'rotating inside a /64 does not help');
});

test('the bookkeeping stays bounded whatever names and addresses are tried', () => {
  const limiter = new LoginLimiter();
  for (let i = 0; i < 30_000; i++) limiter.begin(`u${i}`, `198.51.${(i >> 8) & 255}.${i & 255}`);
  assert.ok(limiter.size() <= 20_002, String(limiter.size()));
});
