import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlipwayError } from '../core/errors.js';
import { applyLabelChanges, parseLabelChanges, userLabels } from './node-labels.js';

test('k=v sets, k- and k= remove', () => {
  assert.deepEqual(parseLabelChanges(['region=eu', 'disk-', 'tier=', 'zone=eu-west-1a']), {
    set: { region: 'eu', zone: 'eu-west-1a' },
    remove: ['disk', 'tier'],
  });
});

test('applying keeps other labels, Slipway bookkeeping included', () => {
  const before = { 'slipway.engine': 'unix:///x.sock', disk: 'hdd', tier: 'a' };
  const after = applyLabelChanges(before, parseLabelChanges(['disk=ssd', 'tier-', 'region=eu']));
  assert.deepEqual(after, { 'slipway.engine': 'unix:///x.sock', disk: 'ssd', region: 'eu' });
  assert.deepEqual(userLabels(after), { disk: 'ssd', region: 'eu' });
});

test('bad label changes are refused with a hint', () => {
  const bad: [string[], RegExp][] = [
    [[], /no label/],
    [['justaword'], /neither k=v nor k-/],
    [['bad key=1'], /not a label name/],
    [['-lead=1'], /not a label name/],
    [['trail.=1'], /not a label name/],
    [[`${'k'.repeat(129)}=1`], /not a label name/],
    [['=v'], /not a label name/],
    [['ok=has space'], /not a label value/],
    [['ok=a,b'], /not a label value/],
    [['ok=a=b'], /not a label value/],
    [[`ok=${'v'.repeat(257)}`], /not a label value/],
    [['slipway.engine=x'], /reserved/],
    [['com.docker.x=1'], /reserved/],
    [['slipway.ingress=yes'], /slipway\.ingress is true or false/],
    [['Slipway.Ingress=true'], /reserved/],
    [['a=1', 'a-'], /twice/],
    [[...Array.from({ length: 101 }, (_, i) => `k${i}=v`)], /at most 100/],
  ];
  for (const [words, message] of bad) {
    assert.throws(
      () => parseLabelChanges(words),
      (err: unknown) =>
        err instanceof SlipwayError && err.code === 'INVALID_INPUT' && message.test(err.message) && !!err.hint,
      words.join(' ').slice(0, 40),
    );
  }
});

test('a key named __proto__ is refused, never reaching the prototype', () => {
  assert.throws(() => parseLabelChanges(['__proto__=x']), /not a label name/);
});

test('slipway.ingress is the one Slipway label users set (an ingress HAProxy on the node), and they see it', () => {
  assert.deepEqual(parseLabelChanges(['slipway.ingress=true', 'region=eu']), {
    set: { 'slipway.ingress': 'true', region: 'eu' },
    remove: [],
  });
  assert.deepEqual(parseLabelChanges(['slipway.ingress-']).remove, ['slipway.ingress']);
  assert.deepEqual(userLabels({ 'slipway.ingress': 'true', 'slipway.engine': 'unix:///x.sock' }), {
    'slipway.ingress': 'true',
  });
});
