import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { renderHaproxyConfig, renderHostsMap } from '../../src/router/haproxy-config.js';
import type { AppRoute } from '../../src/router/port.js';
import { tempStateDir } from '../../src/router/testing/http-harness.js';

const shop: AppRoute = {
  app: 'shop',
  hosts: ['shop.apps.test', 'www.shop.test'],
  check: { path: '/health?deep=1', intervalMs: 2000, timeoutMs: 1500 },
  servers: [
    { name: 'web-a', address: '127.0.0.1', port: 32000, state: 'ready' },
    { name: 'web-b', address: '127.0.0.1', port: 32001, state: 'drain' },
    { name: 'worker-c', address: '127.0.0.1', port: 32002, state: 'maint' },
  ],
};
const api: AppRoute = { app: 'api', hosts: ['api.apps.test'], check: { intervalMs: 250, timeoutMs: 100 }, servers: [] };

describe('rendered configs pass `haproxy -c`', () => {
  const cases: Array<[string, AppRoute[]]> = [
    ['no apps', []],
    ['one app with an HTTP check and servers', [shop]],
    ['several apps, TCP check, no servers', [shop, api]],
  ];
  for (const [what, routes] of cases) {
    it(what, async () => {
      const { dir, cleanup } = await tempStateDir();
      try {
        const paths = { runtimeSocket: path.join(dir, 'runtime.sock'), pidFile: path.join(dir, 'haproxy.pid'), hostsMap: path.join(dir, 'hosts.map') };
        await writeFile(paths.hostsMap, renderHostsMap(routes));
        const config = path.join(dir, 'haproxy.cfg');
        await writeFile(config, renderHaproxyConfig({ paths, httpBind: '127.0.0.1', httpPort: 18080, domain: 'apps.test', routes }));
        const output = execFileSync('/usr/sbin/haproxy', ['-c', '-f', config], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        assert.match(output, /Configuration file is valid/);
      } finally {
        await cleanup();
      }
    });
  }
});
