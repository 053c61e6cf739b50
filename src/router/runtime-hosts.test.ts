import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  desiredHostEntries,
  hostCommandOk,
  isMapListing,
  parseShowMap,
  planHostCommands,
  type MapEntry,
} from './runtime-hosts.js';

const M = '/s/hosts.map';

describe('parseShowMap', () => {
  it('reads `<ref> <key> <value>` lines and ignores the rest', () => {
    const text = '0x561edec228b0 a.test app_a\n0x7f46d80465b0 b.test app_b\n\n';
    assert.deepEqual(parseShowMap(text), [
      { key: 'a.test', value: 'app_a' },
      { key: 'b.test', value: 'app_b' },
    ]);
  });
  it('tells a listing (possibly empty) from an error', () => {
    assert.equal(isMapListing('\n'), true);
    assert.equal(isMapListing('0x1 a.test app_a\n'), true);
    assert.equal(isMapListing('Unknown map identifier. Please use #<id> or <file>.\n'), false);
  });
});

describe('planHostCommands', () => {
  const e = (key: string, value: string): MapEntry => ({ key, value });
  const cases: Array<[string, MapEntry[], MapEntry[], string[]]> = [
    ['nothing to do', [e('a.test', 'app_a')], [e('a.test', 'app_a')], []],
    ['a new host', [e('a.test', 'app_a')], [e('a.test', 'app_a'), e('b.test', 'app_a')], [`add map ${M} b.test app_a`]],
    ['a removed host', [e('a.test', 'app_a'), e('b.test', 'app_a')], [e('a.test', 'app_a')], [`del map ${M} b.test`]],
    ['a host moved to another app', [e('b.test', 'app_a')], [e('b.test', 'app_b')], [`set map ${M} b.test app_b`]],
    [
      'a duplicate key made single',
      [e('b.test', 'app_a'), e('b.test', 'app_a')],
      [e('b.test', 'app_a')],
      [`del map ${M} b.test`, `add map ${M} b.test app_a`],
    ],
    [
      'adds and sets first (sorted), deletes last',
      [e('z.test', 'app_a'), e('m.test', 'app_a')],
      [e('m.test', 'app_b'), e('c.test', 'app_a')],
      [`add map ${M} c.test app_a`, `set map ${M} m.test app_b`, `del map ${M} z.test`],
    ],
  ];
  for (const [what, live, desired, expected] of cases)
    it(what, () => assert.deepEqual(planHostCommands(M, live, desired), expected));
});

describe('desiredHostEntries and answers', () => {
  it('maps every host of every app to its backend', () => {
    const routes = [
      { app: 'shop', hosts: ['shop.apps.test', 'www.shop.test'], check: { intervalMs: 1, timeoutMs: 1 }, servers: [] },
    ];
    assert.deepEqual(desiredHostEntries(routes), [
      { key: 'shop.apps.test', value: 'app_shop' },
      { key: 'www.shop.test', value: 'app_shop' },
    ]);
  });
  it('accepts empty answers, and "Key not found" for a delete only', () => {
    assert.equal(hostCommandOk(`add map ${M} a b`, '\n'), true);
    assert.equal(hostCommandOk(`del map ${M} a`, 'Key not found.\n'), true);
    assert.equal(hostCommandOk(`set map ${M} a b`, 'entry not found.\n'), false);
    assert.equal(hostCommandOk(`add map ${M} a b`, 'Unknown command\n'), false);
  });
});
