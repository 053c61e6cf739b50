import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIgnored, parseDockerignore } from './dockerignore.js';

const ignored = (rules: string, paths: string[]) => paths.filter((p) => isIgnored(p, parseDockerignore(rules)));

test('.dockerignore patterns match as the Docker CLI does', () => {
  const paths = [
    'node_modules',
    'node_modules/x/index.js',
    'src/a.log',
    'a.log',
    '.env',
    '.env.example',
    'log/.keep',
    'log/x.txt',
    'deep/a/b/c.tmp',
    'Dockerfile',
    'docs/README.md',
    'src/app.js',
  ];
  assert.deepEqual(ignored('# comment\nnode_modules\n*.log\n', paths), [
    'node_modules',
    'node_modules/x/index.js',
    'a.log',
  ]);
  assert.deepEqual(ignored('**/*.log', paths), ['src/a.log', 'a.log']);
  assert.deepEqual(ignored('.env\n.env.*\n!.env.example', paths), ['.env']);
  assert.deepEqual(ignored('log/*\n!log/.keep', paths), ['log/x.txt']);
  assert.deepEqual(ignored('deep/**/*.tmp\n/Dockerfile\n./docs', paths), [
    'deep/a/b/c.tmp',
    'Dockerfile',
    'docs/README.md',
  ]);
  assert.deepEqual(
    ignored('*\n!src', paths),
    paths.filter((p) => !p.startsWith('src/')),
  );
  assert.deepEqual(ignored('src/[ab].log\n?.log', paths), ['src/a.log', 'a.log']);
});

test('the last matching rule wins', () => {
  assert.deepEqual(ignored('!a.log\n*.log', ['a.log']), ['a.log']);
  assert.deepEqual(ignored('*.log\n!a.log', ['a.log', 'b.log']), ['b.log']);
});
