import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { certificateCovers, normalizeHostname } from './hostname.js';

describe('normalizeHostname', () => {
  const valid: Array<[string, string]> = [
    ['www.example.com', 'www.example.com'],
    ['  Shop.Example.COM. ', 'shop.example.com'],
    ['a-b.c0.example', 'a-b.c0.example'],
    ['xn--bcher-kva.de', 'xn--bcher-kva.de'],
    ['bücher.de', 'xn--bcher-kva.de'],
    [`${'a'.repeat(63)}.test`, `${'a'.repeat(63)}.test`],
  ];
  for (const [input, expected] of valid)
    it(`accepts ${JSON.stringify(input)}`, () => assert.equal(normalizeHostname(input), expected));

  const invalid: Array<[unknown, RegExp]> = [
    ['', /required/],
    [undefined, /required/],
    ['example.com:8080', /no port/],
    ['https://example.com', /without scheme/],
    ['example.com/path', /without scheme or path/],
    ['*.example.com', /wildcard/],
    ['localhost', /invalid hostname/],
    ['-a.example.com', /invalid hostname/],
    ['a-.example.com', /invalid hostname/],
    ['a..example.com', /invalid hostname/],
    ['a_b.example.com', /invalid hostname/],
    ['a b.example.com', /invalid hostname/],
    [`${'a'.repeat(64)}.test`, /invalid hostname/],
    [`${'abcdefghi.'.repeat(26)}com`, /invalid hostname/],
    ['10.0.0.1', /IP addresses/],
    [42, /invalid hostname/],
  ];
  for (const [input, message] of invalid) {
    it(`rejects ${JSON.stringify(input)}`, () =>
      assert.throws(
        () => normalizeHostname(input),
        (err: { code: string; message: string; hint: string }) => {
          assert.equal(err.code, 'INVALID_INPUT');
          assert.match(err.message, message);
          assert.match(err.hint, /www\.example\.com/);
          return true;
        },
      ));
  }
});

describe('certificateCovers', () => {
  const cases: Array<[string[], string, boolean]> = [
    [['shop.test'], 'shop.test', true],
    [['shop.test'], 'www.shop.test', false],
    [['*.shop.test'], 'www.shop.test', true],
    [['*.shop.test'], 'shop.test', false],
    [['*.shop.test'], 'a.b.shop.test', false],
    [['a.test', '*.b.test'], 'x.b.test', true],
  ];
  for (const [names, host, expected] of cases)
    it(`${names.join(',')} ${expected ? 'covers' : 'does not cover'} ${host}`, () =>
      assert.equal(certificateCovers(names, host), expected));
});
