import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseShowProc } from './master-cli.js';

describe('parseShowProc', () => {
  it('reads master, reload counters and current workers (captured from HAProxy 2.6.12)', () => {
    const text =
      '#<PID>          <type>          <reloads>       <uptime>        <version>      \n' +
      '2335            master          0 [failed: 0]   0d00h00m01s     2.6.12-1+deb12u4\n' +
      '# workers\n2336            worker          0               0d00h00m01s     2.6.12-1+deb12u4\n# programs\n\n';
    assert.deepEqual(parseShowProc(text), {
      masterPid: 2335,
      reloads: 0,
      failedReloads: 0,
      workers: [2336],
      oldWorkers: [],
    });
  });

  it('separates old workers still finishing requests after a reload', () => {
    const text = [
      '#<PID>          <type>          <reloads>       <uptime>        <version>',
      '1162            master          5 [failed: 1]   0d00h02m07s     2.6.12',
      '# workers',
      '1271            worker          0               0d00h00m00s     2.6.12',
      '# old workers',
      '1233            worker          3               0d00h00m43s     2.6.12',
      '# programs',
      '',
    ].join('\n');
    assert.deepEqual(parseShowProc(text), {
      masterPid: 1162,
      reloads: 5,
      failedReloads: 1,
      workers: [1271],
      oldWorkers: [1233],
    });
  });

  it('returns undefined for anything that is not a process table', () => {
    assert.equal(parseShowProc(''), undefined);
    assert.equal(parseShowProc('Unknown command.\n'), undefined);
  });
});
