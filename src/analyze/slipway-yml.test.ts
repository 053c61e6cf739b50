import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlipwayError } from '../core/errors.js';
import { parseSlipwayYml } from './slipway-yml.js';

describe('parseSlipwayYml', () => {
  it('parses a full definition', () => {
    const yml = parseSlipwayYml(`processes:
  web: node server.js
  worker: node worker.js
port: 3000
healthcheck: { path: /up, attempts: 5, intervalMs: 500, timeoutMs: 1000 }
release: npm run migrate
env: [DATABASE_URL, SECRET_KEY_BASE]
build: { runtime: debian, baseImage: 'debian:bookworm-slim', caCert: certs/proxy.crt }
`);
    assert.deepEqual(yml, {
      processes: { web: 'node server.js', worker: 'node worker.js' },
      port: 3000,
      healthcheck: { path: '/up', attempts: 5, intervalMs: 500, timeoutMs: 1000 },
      release: 'npm run migrate',
      env: ['DATABASE_URL', 'SECRET_KEY_BASE'],
      build: { runtime: 'debian', baseImage: 'debian:bookworm-slim', caCert: 'certs/proxy.crt' },
    });
  });

  it('an empty health check path is a TCP check', () => {
    const yml = parseSlipwayYml('processes: { web: ./server }\nport: 8080\nhealthcheck: { path: "" }\n');
    assert.equal(yml.healthcheck?.path, '');
  });

  it('fills defaults', () => {
    const yml = parseSlipwayYml('processes: { web: ./server }\nport: 8080\nhealthcheck: {}\nbuild: {}\n');
    assert.deepEqual(yml.healthcheck, { path: '/', attempts: 30, intervalMs: 1000, timeoutMs: 2000 });
    assert.deepEqual(yml.build, { runtime: 'official' });
    assert.deepEqual(yml.env, []);
  });

  const bad: Array<[string, string, RegExp]> = [
    [
      'a base image that is not an image reference',
      'processes: {web: a}\nport: 1\nbuild: {baseImage: "node:22 AS x"}\n',
      /build\.baseImage: must be an image reference/,
    ],
    ['unknown top-level key', 'processes: {web: a}\nport: 1\nimage: x\n', /^slipway\.yml: image: unknown key$/],
    [
      'unknown nested key',
      'processes: {web: a}\nport: 1\nhealthcheck: {path: /, retries: 3}\n',
      /healthcheck\.retries: unknown key/,
    ],
    ['unknown build key', 'processes: {web: a}\nport: 1\nbuild: {dockerfile: x}\n', /build\.dockerfile: unknown key/],
    ['bad process name', 'processes: {Web: a}\nport: 1\n', /processes\.Web: process types are lowercase/],
    ['empty command', 'processes: {web: "  "}\nport: 1\n', /processes\.web: command must not be empty/],
    ['no processes', 'processes: {}\nport: 1\n', /processes: at least one process type/],
    ['port out of range', 'processes: {web: a}\nport: 70000\n', /port: /],
    ['port missing', 'processes: {web: a}\n', /port: /],
    ['bad env name', 'processes: {web: a}\nport: 1\nenv: [OK, 1BAD]\n', /env\[1\]: env var names/],
    [
      'relative healthcheck path',
      'processes: {web: a}\nport: 1\nhealthcheck: {path: up}\n',
      /healthcheck\.path: must start with "\/"/,
    ],
    ['bad runtime', 'processes: {web: a}\nport: 1\nbuild: {runtime: alpine}\n', /build\.runtime: /],
    [
      'caCert outside the context',
      'processes: {web: a}\nport: 1\nbuild: {caCert: ../ca.crt}\n',
      /build\.caCert: must be a path inside the build context/,
    ],
    ['YAML syntax error with line', 'processes:\n  web: a\nport: [1\n', /^slipway\.yml:4: not valid YAML/],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects: ${name}`, () => {
      assert.throws(
        () => parseSlipwayYml(text),
        (err: unknown) => {
          assert.ok(err instanceof SlipwayError);
          assert.equal(err.code, 'INVALID_INPUT');
          assert.match(err.message, message);
          assert.ok(err.hint);
          return true;
        },
      );
    });
  }
});
