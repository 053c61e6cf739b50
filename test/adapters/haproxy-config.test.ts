import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { renderHaproxyConfig, renderHostsMap } from '../../src/router/haproxy-config.js';
import { ensureDefaultCertificate } from '../../src/router/default-cert.js';
import { renderCrtList } from '../../src/router/tls-files.js';
import { maintenancePage, pageFiles, renderMaintenanceMap } from '../../src/router/maintenance.js';
import { makeTestCert } from '../../src/domains/testing/make-cert.js';
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
const withTls = (route: AppRoute, pem: string): AppRoute => ({
  ...route,
  tls: { id: '1', sniHosts: route.hosts, pem: () => pem },
});

/** shop in maintenance with a page of its own, api with Slipway's page (not in maintenance). */
const inMaintenance: AppRoute[] = [
  { ...shop, maintenance: { enabled: true, retryAfterSec: 120, page: maintenancePage('<h1>back "soon"</h1>') } },
  { ...api, maintenance: { enabled: false, retryAfterSec: 60 } },
];

describe('rendered configs pass `haproxy -c`', () => {
  const cases: Array<[string, AppRoute[], boolean]> = [
    ['maintenance (an app page and Slipway page) and the access log', inMaintenance, false],
    ['no apps', [], false],
    ['one app with an HTTP check and servers', [shop], false],
    ['several apps, no check path, no servers', [shop, api], false],
    ['HTTPS with no app certificate (default certificate, empty crt-list)', [shop, api], true],
    ['HTTPS with an app certificate in the crt-list', [shop, api], true],
  ];
  for (const [what, plain, https] of cases) {
    it(what, async () => {
      const { dir, cleanup } = await tempStateDir();
      try {
        const paths = {
          runtimeSocket: path.join(dir, 'runtime.sock'),
          pidFile: path.join(dir, 'haproxy.pid'),
          hostsMap: path.join(dir, 'hosts.map'),
          crtList: path.join(dir, 'certs.list'),
          defaultCert: path.join(dir, 'default-cert.pem'),
          maintenanceMap: path.join(dir, 'maintenance.map'),
          maintenanceDir: path.join(dir, 'maintenance'),
        };
        let routes = plain;
        if (https) {
          await ensureDefaultCertificate(paths.defaultCert);
          if (what.includes('app certificate')) {
            const cert = makeTestCert(dir, { cn: 'shop.apps.test', sans: ['shop.apps.test', 'www.shop.test'] });
            routes = [withTls(shop, cert.cert + cert.key), api];
            await writeFile(path.join(dir, 'shop.pem'), cert.cert + cert.key);
          }
          await writeFile(
            paths.crtList,
            renderCrtList(routes, (app) => path.join(dir, `${app}.pem`)),
          );
        }
        await writeFile(paths.hostsMap, renderHostsMap(routes));
        await writeFile(paths.maintenanceMap, renderMaintenanceMap(routes));
        await mkdir(paths.maintenanceDir);
        for (const [file, html] of pageFiles(routes, paths.maintenanceDir)) await writeFile(file, html);
        const config = path.join(dir, 'haproxy.cfg');
        const httpsBind = https ? { https: { bind: '127.0.0.1', port: 18443 } } : {};
        await writeFile(
          config,
          renderHaproxyConfig({
            paths,
            httpBind: '127.0.0.1',
            httpPort: 18080,
            ...httpsBind,
            domain: 'apps.test',
            routes,
            accessLog: what.includes('access log'),
          }),
        );
        const output = execFileSync('/usr/sbin/haproxy', ['-c', '-f', config], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        assert.match(output, /Configuration file is valid/);
      } finally {
        await cleanup();
      }
    });
  }
});
