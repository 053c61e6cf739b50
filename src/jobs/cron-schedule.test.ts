import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SlipwayError } from '../core/errors.js';
import { nextRun, occurrences, parseSchedule } from './cron-schedule.js';

const at = (iso: string) => Date.parse(iso);
const next = (schedule: string, after: string) => new Date(nextRun(parseSchedule(schedule), at(after))).toISOString();

describe('cron schedules (five fields, UTC)', () => {
  it('reads ranges, lists, steps, names and macros; times are UTC', () => {
    assert.equal(next('0 3 * * *', '2026-03-01T02:59:59Z'), '2026-03-01T03:00:00.000Z');
    assert.equal(next('0 3 * * *', '2026-03-01T03:00:00Z'), '2026-03-02T03:00:00.000Z', 'strictly after');
    assert.equal(next('*/15 9-17 * * mon-fri', '2026-03-06T17:50:00Z'), '2026-03-09T09:00:00.000Z');
    assert.equal(next('0 0 1,15 * *', '2026-03-02T00:00:00Z'), '2026-03-15T00:00:00.000Z');
    assert.equal(next('30 4 * JAN-MAR SUN', '2026-03-30T00:00:00Z'), '2027-01-03T04:30:00.000Z');
    assert.equal(next('@daily', '2026-03-01T12:00:00Z'), '2026-03-02T00:00:00.000Z');
    assert.equal(parseSchedule('  0   3 * *   *  '), '0 3 * * *');
    assert.equal(parseSchedule('@hourly'), '0 * * * *');
  });

  const bad: [string, RegExp][] = [
    ['', /it is empty/],
    ['* * * *', /5 fields, this one has 4/],
    ['0 0 * * * *', /5 fields, this one has 6/],
    ['61 * * * *', /minute "61": constraint error, got value 61 expected range 0-59/],
    ['0 24 * * *', /hour "24"/],
    ['0 0 0 * *', /day of month "0"/],
    ['0 0 * 13 *', /month "13"/],
    ['0 0 * * 8', /day of week "8"/],
    ['0 0 * foo *', /month: unknown name "foo" \(use jan-dec\)/],
    ['H * * * *', /minute: "H" is not a number/],
    ['0 0 ? * *', /day of month "\?": only digits, names/],
    ['0 0 * * 1#2', /day of week "1#2"/],
    ['5-1 * * * *', /minute "5-1": invalid range/],
    ['*/0 * * * *', /minute "\*\/0"/],
    ['0 0 30 2 *', /invalid explicit day of month/i],
    ['@minutely', /unknown macro/],
    ['0 0 * * *'.repeat(50), /longer than 200/],
  ];
  for (const [schedule, message] of bad) {
    it(`refuses ${JSON.stringify(schedule.slice(0, 30))} with a hint`, () => {
      assert.throws(
        () => parseSchedule(schedule),
        (err: unknown) =>
          err instanceof SlipwayError &&
          err.code === 'INVALID_INPUT' &&
          message.test(err.message) &&
          /UTC: minute hour day-of-month month day-of-week/.test(err.hint ?? ''),
      );
    });
  }

  it('counts the times named between two instants (bounded) and gives the last one', () => {
    const from = at('2026-03-01T00:01:00Z');
    assert.deepEqual(occurrences('* * * * *', from, at('2026-03-01T00:05:30Z')), {
      count: 5,
      latest: at('2026-03-01T00:05:00Z'),
      capped: false,
    });
    assert.deepEqual(occurrences('* * * * *', from, from), { count: 1, latest: from, capped: false });
    const year = occurrences('* * * * *', from, at('2027-03-01T00:00:00Z'), 100);
    assert.deepEqual(year, { count: 100, latest: at('2027-03-01T00:00:00Z'), capped: true });
  });
});
