import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRedactor, redactDeep } from './redact.js';

test('redacts every occurrence of each secret value, longest first', () => {
  const redact = makeRedactor({ TOKEN: 'abcd1234', PREFIX: 'abcd', SHORT: 'x' });
  assert.equal(redact('t=abcd1234 p=abcd x'), 't=[TOKEN] p=[PREFIX] x');
});

test('redactDeep walks arrays and objects', () => {
  const redact = makeRedactor({ DB: 'postgres://u:pw@h/db' });
  assert.deepEqual(redactDeep({ logs: ['url postgres://u:pw@h/db'], n: 1 }, redact), { logs: ['url [DB]'], n: 1 });
});
