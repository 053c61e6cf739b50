import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyPush, deliveryIdOf, isSafeBranch, parseHookRequest, parsePush, PayloadError } from './payload.js';

const after = 'a'.repeat(40);
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

test('push payloads of each provider: ref, commit, clone URL, pusher', () => {
  assert.deepEqual(
    parsePush('github', {
      ref: 'refs/heads/main',
      after,
      repository: { clone_url: 'https://github.com/o/r.git', name: 'r' },
      pusher: { name: 'ann' },
      extra: 1,
    }),
    { ref: 'refs/heads/main', after, cloneUrl: 'https://github.com/o/r.git', pusher: 'ann' },
  );
  assert.deepEqual(
    parsePush('gitlab', {
      ref: 'refs/heads/dev',
      after,
      user_username: 'bob',
      project: { git_http_url: 'https://gl/o/r.git' },
    }),
    { ref: 'refs/heads/dev', after, cloneUrl: 'https://gl/o/r.git', pusher: 'bob' },
  );
  assert.equal(
    parsePush('gitlab', { ref: 'refs/heads/dev', after, repository: { git_http_url: 'https://gl/x.git' } }).cloneUrl,
    'https://gl/x.git',
  );
  assert.deepEqual(
    parsePush('gitea', {
      ref: 'refs/heads/main',
      after,
      repository: { clone_url: 'http://gitea/o/r.git' },
      pusher: { login: 'cy' },
    }),
    { ref: 'refs/heads/main', after, cloneUrl: 'http://gitea/o/r.git', pusher: 'cy' },
  );
});

test('unreadable pushes name the dotted path', () => {
  const cases: Array<[Parameters<typeof parsePush>[0], unknown, RegExp]> = [
    ['github', { ref: 'refs/heads/main', after: 'xyz', repository: { clone_url: 'u' } }, /^after:/],
    ['github', { ref: 'refs/heads/main', after }, /^repository:/],
    ['github', { ref: 'refs/heads/main', after, repository: {} }, /^repository\.clone_url:/],
    ['gitlab', { ref: 'refs/heads/main', after }, /git_http_url/],
    ['gitea', [], /\(body\)/],
  ];
  for (const [provider, body, message] of cases)
    assert.throws(
      () => parsePush(provider, body),
      (e: unknown) => e instanceof PayloadError && message.test(e.message),
    );
  assert.throws(
    () => parseHookRequest('github', { 'x-github-event': 'push' }, Buffer.from('{nope')),
    (e: unknown) => e instanceof PayloadError,
  );
});

test('the event header decides: ping, push, or another event; the delivery id header or a body hash', () => {
  const push = { ref: 'refs/heads/main', after, repository: { clone_url: 'https://h/r.git' } };
  const gh = parseHookRequest('github', { 'x-github-event': 'push', 'x-github-delivery': 'd-1' }, json(push));
  assert.equal(gh.kind, 'push');
  assert.equal(gh.deliveryId, 'd-1');
  assert.equal(parseHookRequest('github', { 'x-github-event': 'ping' }, Buffer.from('not even json')).kind, 'ping');
  assert.equal(parseHookRequest('github', { 'x-github-event': 'issues' }, Buffer.from('x')).kind, 'other');
  assert.equal(
    parseHookRequest('gitea', { 'x-gitea-event': 'push', 'x-gitea-delivery': 'g' }, json(push)).deliveryId,
    'g',
  );
  const gl = { ref: 'refs/heads/main', after, project: { git_http_url: 'https://h/r.git' } };
  assert.equal(parseHookRequest('gitlab', { 'x-gitlab-event': 'Push Hook' }, json(gl)).kind, 'push');
  assert.equal(parseHookRequest('gitlab', { 'x-gitlab-event': 'Tag Push Hook' }, json(gl)).kind, 'other');
  assert.equal(deliveryIdOf('gitlab', { 'x-gitlab-webhook-uuid': 'w' }, Buffer.from('')), 'w');
  assert.equal(
    deliveryIdOf('gitlab', { 'x-gitlab-event-uuid': 'e', 'x-gitlab-webhook-uuid': 'w' }, Buffer.from('')),
    'e',
  );
  const a = deliveryIdOf('github', {}, Buffer.from('one'));
  assert.match(a, /^body-sha256:[0-9a-f]{32}$/);
  assert.equal(deliveryIdOf('github', {}, Buffer.from('one')), a);
  assert.notEqual(deliveryIdOf('github', {}, Buffer.from('two')), a);
});

test('pushes: the hook branch deploys; other branches, tags and deletes are ignored', () => {
  const p = (ref: string, commit = after) => ({ ref, after: commit, cloneUrl: 'https://h/r.git', pusher: '' });
  assert.deepEqual(classifyPush(p('refs/heads/main'), 'main'), { kind: 'deploy', branch: 'main', commit: after });
  assert.deepEqual(classifyPush(p('refs/heads/feature/x'), 'feature/x'), {
    kind: 'deploy',
    branch: 'feature/x',
    commit: after,
  });
  assert.deepEqual(classifyPush(p('refs/heads/dev'), 'main'), {
    kind: 'ignored',
    reason: 'other branch',
    branch: 'dev',
  });
  assert.deepEqual(classifyPush(p('refs/heads/main', '0'.repeat(40)), 'main'), {
    kind: 'ignored',
    reason: 'branch deleted',
    branch: 'main',
  });
  assert.equal(classifyPush(p('refs/tags/v1'), 'main').kind, 'ignored');
  assert.equal(classifyPush(p('refs/heads/mainx'), 'main').kind, 'ignored');
});

test('branch names a hook accepts are safe in a refspec', () => {
  for (const ok of ['main', 'release/1.2', 'feat_x-y']) assert.equal(isSafeBranch(ok), true, ok);
  for (const bad of ['', '-main', '.x', 'a..b', 'a/', '/a', 'a//b', 'x.lock', 'a@{1}', 'a b', 'a:b', 'a*', 'é', 'a/.b'])
    assert.equal(isSafeBranch(bad), false, bad);
});
