import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingPermission, needFor } from './permissions.js';

test('what each request needs, from its method and path; an unknown route needs the admin', () => {
  const cases: Array<[string, string, string]> = [
    ['GET', '/v1/apps', 'user'],
    ['POST', '/v1/apps', 'admin'],
    ['GET', '/v1/apps/shop/ps', 'app shop read'],
    ['GET', '/v1/apps/shop/config', 'app shop manage'],
    ['POST', '/v1/apps/shop/deploys', 'app shop deploy'],
    ['POST', '/v1/apps/shop/builds/b-1/deploy', 'app shop deploy'],
    ['POST', '/v1/apps/shop/rollback', 'app shop deploy'],
    ['PATCH', '/v1/apps/shop/config', 'app shop manage'],
    ['POST', '/v1/apps/shop/scale', 'app shop manage'],
    ['GET', '/v1/apps/shop/runs/attach', 'app shop manage'],
    ['DELETE', '/v1/apps/shop', 'admin'],
    ['POST', '/v1/apps/shop/rename', 'admin'],
    ['POST', '/v1/apps/shop/access', 'admin'],
    ['GET', '/v1/nodes', 'admin'],
    ['POST', '/v1/registries', 'admin'],
    ['GET', '/v1/users', 'admin'],
    ['GET', '/v1/audit', 'admin'],
    ['POST', '/v1/tokens', 'full'],
    ['DELETE', '/v1/tokens/3', 'full'],
    ['GET', '/v1/whoami', 'user'],
    ['GET', '/v1/something-new', 'admin'],
    ['GET', '/v1/apps/sh%6Fp/ps', 'app shop read'],
    ['GET', '/v1/platform/certificate', 'user'],
    ['PUT', '/v1/platform/certificate', 'admin'],
    ['DELETE', '/v1/platform/certificate', 'admin'],
    ['PUT', '/v1/users/alice/password', 'full'],
    ['POST', '/v1/users/alice/password', 'admin'],
    ['POST', '/hooks/github/shop', 'signed'],
    ['POST', '/hooks/gitlab/sh%6Fp', 'signed'],
    ['GET', '/hooks/github/shop', 'admin'],
    ['POST', '/hooks/github/shop/extra', 'admin'],
    ['GET', '/v1/apps/shop/hooks', 'app shop read'],
    ['POST', '/v1/apps/shop/hooks', 'app shop manage'],
    ['DELETE', '/v1/apps/shop/hooks/2', 'app shop manage'],
    ['GET', '/v1/apps/shop/hook-deliveries', 'app shop read'],
    ['GET', '/v1/apps/shop/git-credentials', 'app shop read'],
    ['PUT', '/v1/apps/shop/git-credentials', 'app shop manage'],
    ['DELETE', '/v1/apps/shop/git-credentials', 'app shop manage'],
    ['GET', '/v1/apps/shop/builds/b-1/events', 'app shop read'],
    ['POST', '/git/shop.git/git-receive-pack', 'app shop deploy'],
    ['POST', '/git/shop.git/git-upload-pack', 'app shop read'],
    ['GET', '/git/shop.git/info/refs', 'app shop read'],
    ['GET', '/v1/keys', 'full'],
    ['GET', '/v1/ssh', 'user'],
    ['POST', '/v1/keys', 'full'],
    ['DELETE', '/v1/keys/laptop', 'full'],
  ];
  for (const [method, path, want] of cases) {
    const need = needFor(method, path);
    const got = need.kind === 'app' ? `app ${need.app} ${need.level}` : need.kind;
    assert.equal(got, want, `${method} ${path}`);
  }
  // The first request of a push asks for the refs with service=git-receive-pack: already the deploy level.
  assert.deepEqual(needFor('GET', '/git/shop.git/info/refs', new URLSearchParams('service=git-receive-pack')), {
    kind: 'app',
    app: 'shop',
    level: 'deploy',
  });
  assert.deepEqual(needFor('GET', '/v1/audit', new URLSearchParams('app=shop')), {
    kind: 'app',
    app: 'shop',
    level: 'manage',
  });
});

test('role, app access, token app and token scope each refuse, naming what is missing', () => {
  const shopRead = { kind: 'app', app: 'shop', level: 'read' } as const;
  const shopDeploy = { kind: 'app', app: 'shop', level: 'deploy' } as const;
  const shopManage = { kind: 'app', app: 'shop', level: 'manage' } as const;
  const admin = { kind: 'admin' } as const;
  const yes = () => true;
  const no = () => false;
  assert.equal(missingPermission({ role: 'admin', scope: 'admin', app: null }, admin, no), undefined);
  assert.equal(missingPermission({ role: 'member', scope: 'admin', app: null }, admin, yes), 'the admin role');
  assert.equal(missingPermission({ role: 'admin', scope: 'deploy', app: null }, admin, yes), 'a token of scope admin');
  assert.match(
    missingPermission({ role: 'admin', scope: 'admin', app: 'shop' }, admin, yes)!,
    /not limited to app shop/,
  );
  assert.equal(missingPermission({ role: 'member', scope: 'admin', app: null }, shopManage, no), 'access to app shop');
  assert.equal(missingPermission({ role: 'member', scope: 'admin', app: null }, shopManage, yes), undefined);
  assert.equal(missingPermission({ role: 'admin', scope: 'admin', app: null }, shopManage, no), undefined);
  assert.match(
    missingPermission({ role: 'admin', scope: 'deploy', app: 'blog' }, shopDeploy, yes)!,
    /token for app shop/,
  );
  assert.equal(missingPermission({ role: 'admin', scope: 'deploy', app: 'shop' }, shopDeploy, yes), undefined);
  assert.equal(
    missingPermission({ role: 'admin', scope: 'deploy', app: 'shop' }, shopManage, yes),
    'a token of scope admin',
  );
  assert.equal(
    missingPermission({ role: 'member', scope: 'read', app: null }, shopDeploy, yes),
    'a token of scope deploy',
  );
  assert.equal(missingPermission({ role: 'member', scope: 'read', app: null }, shopRead, yes), undefined);
  assert.equal(missingPermission({ role: 'member', scope: 'read', app: null }, { kind: 'user' }, no), undefined);
  assert.equal(missingPermission({ role: 'member', scope: 'admin', app: null }, { kind: 'full' }, no), undefined);
  assert.equal(
    missingPermission({ role: 'admin', scope: 'read', app: null }, { kind: 'full' }, yes),
    'a token of scope admin',
  );
  assert.match(
    missingPermission({ role: 'admin', scope: 'admin', app: 'shop' }, { kind: 'full' }, yes)!,
    /not limited/,
  );
  // A webhook path is never opened by a token, not even the admin's full one.
  assert.match(
    missingPermission({ role: 'admin', scope: 'admin', app: null }, { kind: 'signed', app: 'shop' }, yes)!,
    /webhook signature/,
  );
});
