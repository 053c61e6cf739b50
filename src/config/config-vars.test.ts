import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyConfigChange, CONFIG_TOTAL_MAX_BYTES, CONFIG_VALUE_MAX_BYTES } from './config-vars.js';
import { SlipwayError } from '../core/errors.js';

const refused = (fn: () => unknown, message: RegExp, secret?: string) =>
  assert.throws(
    fn,
    (err: unknown) =>
      err instanceof SlipwayError &&
      err.code === 'INVALID_INPUT' &&
      message.test(err.message) &&
      !!err.hint &&
      (!secret || !err.message.includes(secret)),
  );

test('sets and unsets, leaving the input untouched', () => {
  const before = { A: '1', B: '2' };
  assert.deepEqual(applyConfigChange(before, { C: '3', A: 'x' }, ['B']), { A: 'x', C: '3' });
  assert.deepEqual(before, { A: '1', B: '2' });
});

test('a value over the per-value limit, with a NUL byte, or not a string is refused without quoting it', () => {
  refused(() => applyConfigChange({}, { BIG: 'S'.repeat(CONFIG_VALUE_MAX_BYTES + 1) }, []), /at most 64 KiB/, 'SSSS');
  refused(() => applyConfigChange({}, { NUL: 'sec\0ret' }, []), /NUL byte/, 'sec');
  refused(() => applyConfigChange({}, { N: 5 as unknown as string }, []), /must be a string/);
  assert.doesNotThrow(() => applyConfigChange({}, { EXACT: 'x'.repeat(CONFIG_VALUE_MAX_BYTES) }, []));
});

test('the whole config has a limit too; invalid and overlong names are refused', () => {
  const many = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`V${i}`, 'x'.repeat(60 * 1024)]));
  refused(() => applyConfigChange({}, many, []), new RegExp(`at most ${CONFIG_TOTAL_MAX_BYTES / 1024} KiB`));
  refused(() => applyConfigChange({}, { '1BAD': 'x' }, []), /invalid config var name/);
  refused(() => applyConfigChange({}, {}, ['A-B']), /invalid config var name/);
  refused(() => applyConfigChange({}, { ['A'.repeat(300)]: 'x' }, []), /longer than 255/);
});
