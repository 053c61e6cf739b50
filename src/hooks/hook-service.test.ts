import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withTempStore } from '../store/testing/temp-store.js';
import { isSlipwayError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { HookService, type HookServiceDeps } from './hook-service.js';

const commit = 'c'.repeat(40);

/** The service over a real SQLite store; fetching and deploying are recorded stand-ins (the logic under test). */
async function withService(
  fn: (ctx: { store: Store; hooks: HookService; deployed: string[]; secret: string }) => Promise<void>,
  deps: Partial<HookServiceDeps> = {},
): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'slipway-hooks-unit-'));
  try {
    await withTempStore(
      async (store) => {
        const deployed: string[] = [];
        const hooks = new HookService({
          store,
          cacheDir: join(tmp, 'cache'),
          tmpDir: tmp,
          fetchSource: async (_d, _url, file) => writeFileSync(file, ''),
          deploySource: async (app, _tar, opts) => {
            deployed.push(`${app} ${opts.build?.source?.commit} ${opts.actor}`);
            return { app, release: deployed.length, deployment: deployed.length, ms: 1 };
          },
          ...deps,
        });
        const { secret } = hooks.add('shop', 'github', 'main');
        await fn({ store, hooks, deployed, secret });
        await hooks.close();
      },
      ['shop'],
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const push = (secret: string, id: string, ref = 'refs/heads/main', after = commit) => {
  const body = Buffer.from(
    JSON.stringify({ ref, after, repository: { clone_url: 'https://git.example/r.git' }, pusher: { name: 'ann' } }),
  );
  const sig = createHmac('sha256', secret).update(body).digest('hex');
  return {
    headers: { 'x-github-event': 'push', 'x-github-delivery': id, 'x-hub-signature-256': `sha256=${sig}` },
    body,
  };
};

const settled = async (hooks: HookService, id: number) => {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
    const d = hooks.deliveries('shop').find((x) => x.id === id)!;
    if (d.finishedAt) return d;
  }
  throw new Error(`delivery ${id} did not finish within 10 s`);
};

test('a signed push deploys once; its redelivery is a duplicate; a refused one claims no id', async () => {
  await withService(async ({ hooks, deployed, secret }) => {
    const forged = push('wrong', 'd-1');
    assert.throws(
      () => hooks.receive('github', 'shop', forged.headers, forged.body),
      (e: unknown) => isSlipwayError(e) && e.code === 'UNAUTHORIZED',
    );
    const p = push(secret, 'd-1');
    const first = hooks.receive('github', 'shop', p.headers, p.body);
    assert.equal(first.status, 202);
    const again = hooks.receive('github', 'shop', p.headers, p.body);
    assert.deepEqual([again.status, (again.body as { outcome: string }).outcome], [200, 'ignored: duplicate']);
    const d = await settled(hooks, (first.body as { delivery: number }).delivery);
    assert.equal(d.outcome, 'deployed v1');
    assert.equal(d.release, 1);
    assert.deepEqual(deployed, [`shop ${commit} hook:github (ann)`]);
    assert.deepEqual(
      hooks.deliveries('shop').map((x) => x.outcome),
      ['ignored: duplicate', 'deployed v1', 'refused: bad signature'],
    );
  });
});

test('unknown apps, providers and apps without that provider all get the same 404', async () => {
  await withService(async ({ hooks, secret }) => {
    const p = push(secret, 'd-2');
    for (const [provider, app] of [
      ['github', 'nope'],
      ['bitbucket', 'shop'],
      ['gitlab', 'shop'],
    ] as const)
      assert.throws(
        () => hooks.receive(provider, app, p.headers, p.body),
        (e: unknown) => isSlipwayError(e) && e.code === 'NOT_FOUND' && e.message === 'no webhook at this URL',
      );
    assert.equal(hooks.deliveries('shop').length, 0);
  });
});

test('other branches, deletes, tags and other events are answered 200 and recorded as ignored', async () => {
  await withService(async ({ hooks, deployed, secret }) => {
    const cases: Array<[string, string, string]> = [
      ['e-1', 'refs/heads/dev', 'ignored: other branch'],
      ['e-2', 'refs/tags/v1', 'ignored: not a branch (refs/tags/v1)'],
    ];
    for (const [id, ref, outcome] of cases) {
      const p = push(secret, id, ref);
      const next = hooks.deliveries('shop').length + 1;
      assert.deepEqual(hooks.receive('github', 'shop', p.headers, p.body), {
        status: 200,
        body: { delivery: next, outcome },
      });
    }
    const del = push(secret, 'e-3', 'refs/heads/main', '0'.repeat(40));
    assert.equal(
      (hooks.receive('github', 'shop', del.headers, del.body).body as { outcome: string }).outcome,
      'ignored: branch deleted',
    );
    const star = push(secret, 'e-4');
    const other = hooks.receive('github', 'shop', { ...star.headers, 'x-github-event': 'star' }, star.body);
    assert.equal((other.body as { outcome: string }).outcome, 'ignored: event star');
    assert.deepEqual(deployed, []);
  });
});

test('a delivery waits for a running deploy of its app, and fails naming it when the wait ends', async () => {
  await withService(
    async ({ store, hooks, deployed, secret }) => {
      const running = store.deployments.start({
        app: 'shop',
        release: 0,
        kind: 'deploy',
        now: new Date().toISOString(),
      });
      const p = push(secret, 'l-1');
      const id = (hooks.receive('github', 'shop', p.headers, p.body).body as { delivery: number }).delivery;
      const d = await settled(hooks, id);
      assert.match(d.outcome, new RegExp(`^failed: app "shop" has a deployment in progress \\(#${running.id}[:)]`));
      assert.deepEqual(deployed, []);
      // Freed while the next one waits: it goes ahead.
      const q = push(secret, 'l-2');
      const id2 = (hooks.receive('github', 'shop', q.headers, q.body).body as { delivery: number }).delivery;
      store.deployments.finish(running.id, 'succeeded', new Date().toISOString());
      assert.equal((await settled(hooks, id2)).outcome, 'deployed v1');
    },
    { lockWaitMs: 1500 },
  );
});

test('a failed fetch fails the delivery with its message; unfinished deliveries of a stop are failed', async () => {
  await withService(
    async ({ hooks, secret, store }) => {
      const p = push(secret, 'f-1');
      const id = (hooks.receive('github', 'shop', p.headers, p.body).body as { delivery: number }).delivery;
      assert.equal((await settled(hooks, id)).outcome, 'failed: fetch refused');
      const hook = hooks.list('shop')[0]!;
      const left = store.hooks.record({
        hookId: hook.id,
        app: 'shop',
        provider: 'github',
        deliveryId: 'f-2',
        claims: true,
        event: 'push',
        outcome: 'deploying',
        receivedAt: new Date().toISOString(),
      });
      assert.equal(hooks.recoverInterrupted(), 1);
      assert.equal(store.hooks.delivery(left.delivery.id).outcome, 'failed: interrupted (the server stopped)');
    },
    {
      fetchSource: async () => {
        throw new Error('fetch refused');
      },
    },
  );
});

test('hooks:add refuses unknown providers, unsafe branches and a second hook of a provider', async () => {
  await withService(async ({ hooks }) => {
    for (const [provider, branch] of [
      ['bitbucket', 'main'],
      ['gitlab', '-x'],
      ['gitlab', 'a..b'],
      ['github', 'main'],
    ] as const)
      assert.throws(() => hooks.add('shop', provider, branch), isSlipwayError, `${provider} ${branch}`);
    assert.equal(hooks.list('shop').length, 1);
  });
});

test('a captured delivery replayed with a fresh id deploys nothing; a failed one may be delivered again', async () => {
  let fail = true;
  await withService(
    async ({ hooks, deployed, secret }) => {
      const first = push(secret, 'r-1');
      const a = hooks.receive('github', 'shop', first.headers, first.body).body as { delivery: number };
      assert.match((await settled(hooks, a.delivery)).outcome, /^failed: /);
      fail = false;
      // The same body (a fixed cause, or a replay) under another id: the failed one gave its claim back.
      const retry = { ...first, headers: { ...first.headers, 'x-github-delivery': 'r-2' } };
      const b = hooks.receive('github', 'shop', retry.headers, retry.body).body as { delivery: number };
      assert.match((await settled(hooks, b.delivery)).outcome, /^deployed v1/);
      const replay = { ...first, headers: { ...first.headers, 'x-github-delivery': 'r-3' } };
      const c = hooks.receive('github', 'shop', replay.headers, replay.body);
      assert.equal(c.status, 200);
      assert.equal((c.body as { outcome: string }).outcome, 'ignored: duplicate');
      assert.equal(deployed.length, 1);
    },
    {
      fetchSource: async (_d, _url, file) => {
        if (fail) throw new Error('the git server said 401');
        writeFileSync(file, '');
      },
    },
  );
});

test("the first signed push pins the hook's repository; one naming another is refused, nothing fetched", async () => {
  const fetched: string[] = [];
  await withService(
    async ({ hooks, secret, store }) => {
      const p = push(secret, 'p-1');
      const first = hooks.receive('github', 'shop', p.headers, p.body).body as { delivery: number };
      await settled(hooks, first.delivery);
      assert.equal(store.hooks.list('shop')[0]!.repoUrl, 'https://git.example/r.git');
      const body = Buffer.from(
        JSON.stringify({
          ref: 'refs/heads/main',
          after: 'd'.repeat(40),
          repository: { clone_url: 'https://evil.example/steal.git' },
          pusher: { name: 'mallory' },
        }),
      );
      const sig = createHmac('sha256', secret).update(body).digest('hex');
      const headers = {
        'x-github-event': 'push',
        'x-github-delivery': 'p-2',
        'x-hub-signature-256': `sha256=${sig}`,
      };
      const answer = hooks.receive('github', 'shop', headers, body);
      assert.equal(answer.status, 403);
      assert.match((answer.body as { outcome: string }).outcome, /is not this hook's repository/);
      assert.deepEqual(fetched, ['https://git.example/r.git']);
    },
    {
      fetchSource: async (_d, url, file) => {
        fetched.push(url);
        writeFileSync(file, '');
      },
    },
  );
});
