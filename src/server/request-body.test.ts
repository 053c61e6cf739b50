import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlipwayError } from '../core/errors.js';
import { parseInput } from './request-body.js';
import { certBody, configBody, imageDeployBody, runBody, scaleBody } from './api-schemas.js';

const refused = (fn: () => unknown, message: RegExp, hint?: RegExp) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SlipwayError);
    assert.equal(err.code, 'INVALID_INPUT');
    assert.match(err.message, message);
    if (hint) assert.match(err.hint ?? '', hint);
    return true;
  });

test('a valid body parses to its typed value', () => {
  assert.deepEqual(parseInput(scaleBody, { formation: { web: 2, worker: 0 } }, 'request body'), {
    formation: { web: 2, worker: 0 },
  });
  assert.deepEqual(parseInput(configBody, {}, 'request body'), {});
  assert.deepEqual(parseInput(runBody, { command: ['ls', '-l'], release: 3 }, 'spec'), {
    command: ['ls', '-l'],
    release: 3,
  });
});

test('errors name every dotted path, unknown keys included, with the hint of the command that sends the body', () => {
  refused(
    () => parseInput(configBody, { set: { A: 1 }, unset: 'B', extra: true }, 'request body'),
    /^request body: set\.A: .*expected string.*; unset: .*expected array.*; extra: unknown key$/,
    /config:set/,
  );
  refused(
    () => parseInput(imageDeployBody, { strategy: 'canary' }, 'request body'),
    /image: .*; strategy: use rolling/,
  );
  refused(() => parseInput(scaleBody, { formation: { Web: 1 } }, 'request body'), /formation\.Web: not a process type/);
  refused(() => parseInput(scaleBody, { formation: { web: 1.5 } }, 'request body'), /formation\.web: counts are whole/);
  refused(() => parseInput(scaleBody, { formation: {} }, 'request body'), /formation: nothing to scale/);
  refused(() => parseInput(runBody, { command: [] }, 'spec'), /^spec: command: give a command/);
});

test('a __proto__ key anywhere is refused, not silently dropped', () => {
  refused(() => parseInput(configBody, JSON.parse('{"set":{"__proto__":"x"}}'), 'request body'), /set\.__proto__/);
  refused(() => parseInput(scaleBody, JSON.parse('{"formation":{"__proto__":1}}'), 'request body'), /__proto__/);
});

test('a certificate body error never carries the key material', () => {
  const key = '-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----';
  assert.throws(
    () => parseInput(certBody, { cert: 42, key }, 'request body'),
    (err: unknown) => err instanceof SlipwayError && !JSON.stringify(err.toJSON()).includes('secret'),
  );
});

test('a message naming a huge key is cut at a readable length', () => {
  refused(
    () => parseInput(scaleBody, { formation: { ['X'.repeat(5000)]: 1 } }, 'request body'),
    /^request body: formation\.X{100,}…$/,
  );
  assert.throws(
    () => parseInput(scaleBody, { formation: { ['X'.repeat(5000)]: 1 } }, 'request body'),
    (err: unknown) => err instanceof SlipwayError && err.message.length < 600,
  );
});
