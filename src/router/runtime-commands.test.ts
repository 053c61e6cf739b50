import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addServerCommands,
  deleteServerCommand,
  parseCommandResponse,
  parseShowInfo,
  parseShowStat,
  setServerStateCommand,
  showStatCommand,
  shutdownSessionsCommand,
} from './runtime-commands.js';

const server = { name: 'web-3f2a', address: '127.0.0.1', port: 32768, state: 'ready' as const };

describe('runtime command builders', () => {
  it('adds a server that only gets traffic after its own check passed', () => {
    assert.deepEqual(addServerCommands('shop', server, { path: '/health', intervalMs: 2000, timeoutMs: 1000 }), [
      'add server app_shop/web-3f2a 127.0.0.1:32768 check inter 500 fastinter ' +
        '25 downinter 25 rise 2 fall 3 pool-max-conn 64 pool-purge-delay 5s',
      'enable health app_shop/web-3f2a',
      'set server app_shop/web-3f2a state drain',
      'set server app_shop/web-3f2a health down',
      'set server app_shop/web-3f2a state ready',
    ]);
  });

  it('uses the check interval as fast interval when it is shorter than 500 ms', () => {
    assert.equal(
      addServerCommands('shop', server, { intervalMs: 200, timeoutMs: 100 })[0],
      'add server app_shop/web-3f2a 127.0.0.1:32768 check inter 200 fastinter ' +
        '25 downinter 25 rise 2 fall 3 pool-max-conn 64 pool-purge-delay 5s',
    );
  });

  const simple: Array<[string, string]> = [
    [setServerStateCommand('shop', 'web-1', 'ready'), 'set server app_shop/web-1 state ready'],
    [setServerStateCommand('shop', 'web-1', 'drain'), 'set server app_shop/web-1 state drain'],
    [setServerStateCommand('shop', 'web-1', 'maint'), 'set server app_shop/web-1 state maint'],
    [deleteServerCommand('shop', 'web-1'), 'del server app_shop/web-1'],
    [shutdownSessionsCommand('shop', 'web-1'), 'shutdown sessions server app_shop/web-1'],
    [showStatCommand('shop'), 'show stat app_shop 4 -1'],
  ];
  for (const [built, expected] of simple) it(`builds "${expected}"`, () => assert.equal(built, expected));

  it('rejects names that would break a command line', () => {
    assert.throws(() => deleteServerCommand('shop', 'web 1; del server x/y'), { code: 'INVALID_INPUT' });
    assert.throws(() => deleteServerCommand('Shop!', 'web-1'), { code: 'INVALID_NAME' });
    assert.throws(
      () => addServerCommands('shop', { ...server, address: 'evil.example' }, { intervalMs: 1, timeoutMs: 1 }),
      { code: 'INVALID_INPUT' },
    );
  });
});

describe('parseCommandResponse (answers of HAProxy 2.6)', () => {
  const cases: Array<[string, ReturnType<typeof parseCommandResponse>]> = [
    ['\n', { ok: true, message: '' }],
    ['New server registered.\n\n', { ok: true, message: 'New server registered.' }],
    ['Server deleted.\n\n', { ok: true, message: 'Server deleted.' }],
    ['No such server.\n\n', { ok: false, failure: 'NO_SUCH_SERVER', message: 'No such server.' }],
    ['No such backend.\n', { ok: false, failure: 'NO_SUCH_BACKEND', message: 'No such backend.' }],
    ['No such proxy.\n\n', { ok: false, failure: 'NO_SUCH_BACKEND', message: 'No such proxy.' }],
    [
      'Already exists a server with the same name in backend.\n\n',
      { ok: false, failure: 'ALREADY_EXISTS', message: 'Already exists a server with the same name in backend.' },
    ],
    [
      'Server still has connections attached to it, cannot remove it.\n\n',
      {
        ok: false,
        failure: 'HAS_CONNECTIONS',
        message: 'Server still has connections attached to it, cannot remove it.',
      },
    ],
    [
      'Only servers in maintenance mode can be deleted.\n\n',
      { ok: false, failure: 'NOT_IN_MAINT', message: 'Only servers in maintenance mode can be deleted.' },
    ],
    ['Permission denied\n\n', { ok: false, failure: 'PERMISSION_DENIED', message: 'Permission denied' }],
    ['Something else.\n', { ok: false, failure: 'OTHER', message: 'Something else.' }],
  ];
  for (const [answer, expected] of cases)
    it(JSON.stringify(answer), () => assert.deepEqual(parseCommandResponse(answer), expected));

  it('classifies an unknown command', () => {
    const answer = 'Unknown command, but maybe one of the following ones is a better match:\n  add acl ...\n';
    assert.deepEqual(parseCommandResponse(answer), { ok: false, failure: 'UNKNOWN_COMMAND', message: answer.trim() });
  });
});

// Captured from HAProxy 2.6.12: `show stat app_web 4 -1` (columns after check_desc trimmed from the rows).
const HEADER =
  '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,' +
  'act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,' +
  'rate_max,check_status,check_code,check_duration,hrsp_1xx';
const SHOW_STAT = [
  HEADER,
  'app_web,web-1,0,0,3,5,,0,0,0,,0,,0,0,0,0,DRAIN,1,1,0,0,1,0,1,,1,4,1,,0,,2,0,,0,L7OK,200,1,0',
  'app_web,web-2,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN 1/2,1,1,0,0,1,1,1,,1,4,2,,0,,2,0,,0,* L4CON,,0,0',
  'app_web,BACKEND,0,0,3,5,,0,0,0,,0,,0,0,0,0,UP,1,1,0,0,1,0,1,,1,4,0,,0,,1,0,,0,,,,0',
  '',
  '',
].join('\n');

describe('parseShowStat', () => {
  it('returns one row per server with status, sessions and last check status', () => {
    assert.deepEqual(parseShowStat(SHOW_STAT), [
      { backend: 'app_web', name: 'web-1', status: 'DRAIN', sessions: 3, checkStatus: 'L7OK', address: '' },
      { backend: 'app_web', name: 'web-2', status: 'DOWN 1/2', sessions: 0, checkStatus: 'L4CON', address: '' },
    ]);
  });

  it('returns nothing for a header only or an error answer', () => {
    assert.deepEqual(parseShowStat(`${HEADER}\n\n`), []);
    assert.deepEqual(parseShowStat('No such proxy.\n'), []);
  });
});

describe('parseShowInfo', () => {
  it('reads key: value lines', () => {
    assert.deepEqual(parseShowInfo('Name: HAProxy\nVersion: 2.6.12-1+deb12u4\nPid: 28436\n'), {
      Name: 'HAProxy',
      Version: '2.6.12-1+deb12u4',
      Pid: '28436',
    });
  });
});
