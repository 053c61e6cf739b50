import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withLiveServers } from './live-servers.js';
import type { AppRoute } from './port.js';
import type { StatRow } from './runtime-commands.js';

const route: AppRoute = {
  app: 'web',
  hosts: ['web.test'],
  check: { intervalMs: 1000, timeoutMs: 500 },
  servers: [{ name: 'web-1', address: '127.0.0.1', port: 4001, state: 'ready' }],
};
const row = (name: string, status: string, address = '127.0.0.1:4002', backend = 'app_web'): StatRow => ({
  backend,
  name,
  status,
  sessions: 0,
  checkStatus: 'L7OK',
  address,
});

describe('withLiveServers (servers kept across a reload)', () => {
  const cases: Array<[string, StatRow[], AppRoute['servers']]> = [
    [
      'an UP server missing from the routes is kept as ready',
      [row('web-2', 'UP')],
      [{ name: 'web-2', address: '127.0.0.1', port: 4002, state: 'ready' }],
    ],
    [
      'a draining one is kept as drain',
      [row('web-2', 'DRAIN')],
      [{ name: 'web-2', address: '127.0.0.1', port: 4002, state: 'drain' }],
    ],
    [
      'an UP-but-failing one is kept',
      [row('web-2', 'UP 1/3')],
      [{ name: 'web-2', address: '127.0.0.1', port: 4002, state: 'ready' }],
    ],
    ['a DOWN one is dropped', [row('web-2', 'DOWN')], []],
    ['a MAINT one is dropped', [row('web-2', 'MAINT')], []],
    ['a listed one is not duplicated', [row('web-1', 'UP', '127.0.0.1:4001')], []],
    ['another backend is ignored', [row('web-2', 'UP', '127.0.0.1:4002', 'app_api')], []],
    ['an unparsable address is ignored', [row('web-2', 'UP', '')], []],
  ];
  for (const [what, live, extra] of cases) {
    it(what, () =>
      assert.deepEqual(withLiveServers([route], live), [{ ...route, servers: [...route.servers, ...extra] }]),
    );
  }
});
