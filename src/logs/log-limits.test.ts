import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSlipwayError } from '../core/errors.js';
import { DEFAULT_LOG_TAIL, MAX_LOG_TAIL, parseProcessFilter, parseTail } from './log-limits.js';

const invalidInput = (err: unknown) =>
  isSlipwayError(err) && err.code === 'INVALID_INPUT' && typeof err.hint === 'string';

describe('logs query limits', () => {
  it('tail: a default, whole numbers up to the maximum', () => {
    assert.equal(parseTail(null), DEFAULT_LOG_TAIL);
    assert.equal(parseTail(''), DEFAULT_LOG_TAIL);
    assert.equal(parseTail('0'), 0);
    assert.equal(parseTail('250'), 250);
    assert.equal(parseTail(String(MAX_LOG_TAIL)), MAX_LOG_TAIL);
  });

  it('tail: anything else is INVALID_INPUT with a hint', () => {
    for (const raw of [
      'abc',
      '-1',
      '1.5',
      '1e3',
      ' 5',
      '0x10',
      String(MAX_LOG_TAIL + 1),
      '99999999999999999999',
      'Infinity',
      'NaN',
      '%00',
    ]) {
      assert.throws(() => parseTail(raw), invalidInput, raw);
    }
  });

  it('ps: a process type name or nothing', () => {
    assert.equal(parseProcessFilter(null), undefined);
    assert.equal(parseProcessFilter('web'), 'web');
    for (const raw of ['%', 'web_%', 'Web', '../x', 'a'.repeat(40), 'constructor.1'])
      assert.throws(() => parseProcessFilter(raw), invalidInput, raw);
  });
});
