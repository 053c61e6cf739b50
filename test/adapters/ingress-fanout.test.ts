import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HaproxyRouter } from '../../src/router/haproxy-router.js';
import { FanoutRouter, type IngressEndpoint, type IngressEvent } from '../../src/router/ingress/fanout-router.js';
import { IngressAgent } from '../../src/router/ingress/ingress-agent.js';
import { RemoteRouter } from '../../src/router/ingress/remote-router.js';
import { ensureIngressTls, type IngressTls } from '../../src/nodes/ingress/ingress-tls.js';
import { issueLeaf } from '../../src/registry/registry-tls.js';
import {
  freePort,
  httpGet,
  startBackend,
  startLoad,
  tempStateDir,
  type TestBackend,
} from '../../src/router/testing/http-harness.js';

const DOMAIN = 'slipway.test';
const HOST = `web.${DOMAIN}`;
const CHECK = { path: '/health', intervalMs: 200, timeoutMs: 1000 };
const server = (name: string, port: number) => ({ name, address: '127.0.0.1', port, state: 'ready' as const });

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await Promise.resolve(check()).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The manager's HAProxy and an ingress node's (its agent, mutual TLS), both real, driven through the
 * fan-out the way a deploy drives them.
 */
describe('ingress HAProxy through its agent, with the manager fan-out (real HAProxy, real TLS)', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  let tls: IngressTls;
  let tlsDir: string;
  let fanout: FanoutRouter;
  let agent: IngressAgent;
  let agentDir: string;
  let agentHttp: number;
  let agentPort: number;
  let managerHttp: number;
  let a: TestBackend;
  let b: TestBackend;
  let c: TestBackend;
  const events: IngressEvent[] = [];
  let endpoints: IngressEndpoint[] = [];

  const startAgent = async () => {
    const router = new HaproxyRouter({
      stateDir: agentDir,
      httpPort: agentHttp,
      httpBind: '127.0.0.1',
      domain: DOMAIN,
    });
    agent = new IngressAgent({ router, tls: { ...tls.agent, ca: tls.ca }, port: agentPort, bind: '127.0.0.1' });
    await agent.listen();
  };
  const manager = () => new RemoteRouter('n1', '127.0.0.1', agentPort, { ...tls.manager, ca: tls.ca });
  const agentServers = async () => {
    const r = manager();
    try {
      return (await r.serverStatuses('web')).map((s) => s.name).sort();
    } finally {
      r.close();
    }
  };
  const state = () => fanout.ingress()[0]?.state;

  before(async () => {
    tlsDir = await mkdtemp(path.join(tmpdir(), 'slipway-ingress-tls-'));
    cleanups.push(() => rm(tlsDir, { recursive: true, force: true }));
    tls = await ensureIngressTls(tlsDir);
    [a, b, c] = await Promise.all([startBackend('A'), startBackend('B'), startBackend('C')]);
    cleanups.push(() => Promise.all([a.close(), b.close(), c.close()]));
    const [m, n] = await Promise.all([tempStateDir(), tempStateDir()]);
    cleanups.push(m.cleanup, n.cleanup);
    agentDir = n.dir;
    [managerHttp, agentHttp, agentPort] = [await freePort(), await freePort(), await freePort()];
    await startAgent();
    const primary = new HaproxyRouter({
      stateDir: m.dir,
      httpPort: managerHttp,
      httpBind: '127.0.0.1',
      domain: DOMAIN,
    });
    fanout = new FanoutRouter(primary, {
      discover: async () => endpoints,
      tls: () => ({ ...tls.manager, ca: tls.ca }),
      intervalMs: 200,
      log: (e) => events.push(e),
    });
    await fanout.start(() => [{ app: 'web', hosts: [HOST], check: CHECK, servers: [server('web-a', a.port)] }]);
  });

  after(async () => {
    await fanout?.stop({ stopProxy: true });
    await agent?.close({ stopProxy: true });
    for (const clean of cleanups.reverse()) await clean().catch(() => undefined);
  });

  it('an agent that appears is given the routes and serves them', async () => {
    assert.equal(state(), undefined, 'no ingress node before one is discovered');
    endpoints = [{ node: 'n1', address: '127.0.0.1', port: agentPort }];
    await until(() => state() === 'in', 'the agent to join');
    await fanout.waitServerUp('web', 'web-a', { timeoutMs: 10_000 });
    assert.deepEqual([(await httpGet(agentHttp, HOST)).body, (await httpGet(managerHttp, HOST)).body], ['A', 'A']);
    assert.ok(
      events.some((e) => e.type === 'ingress.joined' && e.servers === 1),
      JSON.stringify(events),
    );
  });

  it('a rolling replacement under load on both HAProxies: new server UP on each before the old drains', async () => {
    const loads = [managerHttp, agentHttp].map((port) =>
      startLoad({ port, host: HOST, keepAliveClients: 2, freshClients: 1, maxMs: 60_000 }),
    );
    await until(() => loads.every((l) => l.count() >= 10), 'load on both');
    await fanout.addServer('web', server('web-b', b.port), CHECK);
    await fanout.waitServerUp('web', 'web-b', { timeoutMs: 10_000 });
    await fanout.setServerState('web', 'web-a', 'drain');
    assert.equal(await fanout.waitSessionsZero('web', 'web-a', { timeoutMs: 10_000 }), true);
    await fanout.removeServer('web', 'web-a', { timeoutMs: 5_000 });
    const seen = loads.map((l) => l.count());
    await until(() => loads.every((l, i) => l.count() >= seen[i]! + 10), 'load after the change');
    const [onManager, onIngress] = await Promise.all(loads.map((l) => l.stop()));
    for (const [where, r] of [
      ['manager', onManager!],
      ['ingress', onIngress!],
    ] as const) {
      assert.ok(r.replies.length > 20, `${where}: ${r.replies.length} replies`);
      assert.deepEqual([r.failures, r.non2xx.map((x) => x.status)], [[], []], where);
    }
    assert.deepEqual(await agentServers(), ['web-b']);
    assert.equal((await httpGet(agentHttp, HOST)).body, 'B');
  });

  it('only the manager certificate drives an agent', async () => {
    // The agent's own certificate (server use only), one of another CA, one of this CA with another name.
    const own = new RemoteRouter('n1', '127.0.0.1', agentPort, { ...tls.agent, ca: tls.ca });
    const otherDir = await mkdtemp(path.join(tmpdir(), 'slipway-ingress-other-'));
    cleanups.push(() => rm(otherDir, { recursive: true, force: true }));
    const other = await ensureIngressTls(otherDir);
    const foreign = new RemoteRouter('n1', '127.0.0.1', agentPort, { ...other.manager, ca: tls.ca });
    const named = { certFile: path.join(otherDir, 'x.crt'), keyFile: path.join(otherDir, 'x.key') };
    const ca = { caFile: path.join(tlsDir, 'ca', 'ca.crt'), caKeyFile: path.join(tlsDir, 'ca', 'ca.key') };
    await issueLeaf(ca, named, 'someone-else', 'extendedKeyUsage=clientAuth\n');
    const { readFile } = await import('node:fs/promises');
    const wrongName = new RemoteRouter('n1', '127.0.0.1', agentPort, {
      cert: await readFile(named.certFile, 'utf8'),
      key: await readFile(named.keyFile, 'utf8'),
      ca: tls.ca,
    });
    try {
      await assert.rejects(own.status(), /cannot be reached/);
      await assert.rejects(foreign.status(), /cannot be reached/);
      await assert.rejects(wrongName.status(), (err: Error & { code?: string }) => err.code === 'FORBIDDEN');
      await assert.rejects(
        new Promise((resolve, reject) =>
          https
            .get(
              {
                host: '127.0.0.1',
                port: agentPort,
                path: '/v1/call',
                ca: tls.ca,
                checkServerIdentity: () => undefined,
              },
              resolve,
            )
            .on('error', reject),
        ),
      );
    } finally {
      [own, foreign, wrongName].forEach((r) => r.close());
    }
  });

  it('an agent that was unreachable leaves the set, and gets exactly the book when it answers again', async () => {
    await agent.close(); // its HAProxy keeps serving, with web-b
    await fanout.addServer('web', server('web-c', c.port), CHECK);
    await fanout.waitServerUp('web', 'web-c', { timeoutMs: 10_000 });
    await fanout.setServerState('web', 'web-b', 'drain');
    await fanout.waitSessionsZero('web', 'web-b', { timeoutMs: 10_000 });
    await fanout.removeServer('web', 'web-b', { timeoutMs: 5_000 });
    assert.equal(state(), 'lost');
    assert.ok(events.some((e) => e.type === 'ingress.lost'));
    await startAgent(); // a new agent adopts the running HAProxy, which still has web-b
    await until(() => state() === 'in', 'the agent to join again');
    assert.deepEqual(await agentServers(), ['web-c']);
    await until(async () => (await httpGet(agentHttp, HOST)).body === 'C', 'the ingress to serve C');
  });
});
