import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { Header } from 'tar';
import { Harness, uniqueApp } from '../e2e/harness.js';
import { Sandbox, rawTar } from './helpers.js';

/**
 * Uploads through the real server: size limits (received and decompressed), a gzip bomb, bodies
 * that are not tar, hostile member names, the CA certificate as a query option. Each refusal is a
 * clear error (code, hint naming the variable) that the client reads — also when it is refused in
 * the middle of sending — and nothing is left in SLIPWAY_HOME/tmp.
 */
const MAX_RECEIVED = 1024 * 1024;
const MAX_EXPANDED = 16 * 1024 * 1024;

interface Answer {
  status: number;
  body: { error?: { code: string; message: string; hint?: string } };
}

describe('uploads: limits, gzip and hostile archives (real server)', () => {
  let h: Harness;
  let o: Sandbox;
  const app = uniqueApp('upl');

  /** POSTs a body to the deploy route the way any client could, reading the answer even if the body is cut short. */
  const post = (
    body: Buffer | AsyncIterable<Buffer>,
    opts: { query?: string; encoding?: string } = {},
  ): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: h.apiPort,
        method: 'POST',
        path: `/v1/apps/${app}/deploys${opts.query ?? ''}`,
        headers: {
          authorization: `Bearer ${readFileSync(join(h.home, 'token'), 'utf8').trim()}`,
          'content-type': 'application/x-tar',
          ...(opts.encoding ? { 'content-encoding': opts.encoding } : {}),
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer['body'] }));
        res.on('error', reject);
      });
      req.on('error', () => undefined);
      if (Buffer.isBuffer(body)) req.end(body);
      else {
        void (async () => {
          for await (const chunk of body) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
          req.end();
        })().catch(() => undefined);
      }
    });

  const leftovers = () => (existsSync(join(h.home, 'tmp')) ? readdirSync(join(h.home, 'tmp')) : []);

  before(async () => {
    o = new Sandbox();
    h = await Harness.create();
    await h.startServer({
      SLIPWAY_UPLOAD_MAX_BYTES: String(MAX_RECEIVED),
      SLIPWAY_UPLOAD_MAX_EXPANDED_BYTES: String(MAX_EXPANDED),
    });
    await h.ok('apps:create', app);
  });
  after(async () => {
    await h.destroy();
    o.cleanup();
  });

  test(
    'a directory over the received limit: ' + 'the CLI is refused mid-upload and shows 413 with the hint, not a reset',
    async () => {
      const dir = o.dir('big', { Dockerfile: 'FROM scratch\n' });
      writeFileSync(join(dir, 'blob.bin'), randomBytes(6 * 1024 * 1024));
      const result = h.spawnCli(['deploy', '-a', app, dir, '--json']);
      assert.notEqual(result.code, 0);
      const error = (JSON.parse(result.stdout) as Answer['body']).error!;
      assert.equal(error.code, 'PAYLOAD_TOO_LARGE', result.stdout + result.stderr);
      assert.match(error.message, /the upload is too large: it sends more than the limit of 1 MiB/);
      assert.match(error.hint!, /SLIPWAY_UPLOAD_MAX_BYTES/);
      assert.doesNotMatch(result.stdout + result.stderr, /ECONNRESET|EPIPE|socket hang up/);
      assert.deepEqual(leftovers(), []);
    },
  );

  test('a client that keeps sending after the refusal still reads the 413 answer', async () => {
    const header = Buffer.alloc(512);
    new Header({ path: 'blob', type: 'File', size: 32 * 1024 * 1024, mode: 0o644, mtime: new Date() }).encode(
      header,
      0,
    );
    const chunks = async function* () {
      yield header;
      for (let i = 0; i < 32; i++) yield randomBytes(1024 * 1024);
    };
    const answer = await post(chunks());
    assert.equal(answer.status, 413);
    assert.equal(answer.body.error?.code, 'PAYLOAD_TOO_LARGE');
  });

  test('a gzip bomb stops at the decompressed limit (413 naming SLIPWAY_UPLOAD_MAX_EXPANDED_BYTES)', async () => {
    // A small valid member, then 64 MiB of zeros (4x the limit): the declared sizes are tiny, the decompressed stream
    // is not.
    const gzip = createGzip({ level: 9 });
    const compressed: Buffer[] = [];
    gzip.on('data', (c: Buffer) => compressed.push(c));
    const done = new Promise((r) => gzip.on('end', r));
    gzip.write(rawTar([{ path: 'Dockerfile', data: 'FROM scratch\n' }]));
    const zeros = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 64; i++) if (!gzip.write(zeros)) await new Promise((r) => gzip.once('drain', r));
    gzip.end();
    await done;
    const bomb = Buffer.concat(compressed);
    assert.ok(bomb.length < MAX_RECEIVED, `the bomb itself is small (${bomb.length} bytes)`);
    for (const encoding of ['gzip', undefined]) {
      const answer = await post(bomb, encoding ? { encoding } : {});
      assert.equal(answer.status, 413, JSON.stringify(answer.body));
      assert.match(answer.body.error!.message, /once decompressed it is more than the limit of 16 MiB/);
      assert.match(answer.body.error!.hint!, /SLIPWAY_UPLOAD_MAX_EXPANDED_BYTES/);
    }
    // A member that declares more than the limit is refused at its header, before its bytes arrive.
    const header = Buffer.alloc(512);
    new Header({ path: 'zeros', type: 'File', size: 512 * 1024 * 1024, mode: 0o644, mtime: new Date() }).encode(
      header,
      0,
    );
    const declared = await post(header);
    assert.equal(declared.status, 413);
    assert.match(declared.body.error!.message, /its files add up to more than the limit of 16 MiB/);
    assert.deepEqual(leftovers(), []);
  });

  test(
    'bodies that are not a tar, hostile member names, ' + 'other encodings and a CA in the query are 400 INVALID_INPUT',
    async () => {
      const cases: Array<[string, Buffer, { query?: string; encoding?: string }, RegExp]> = [
        ['text', Buffer.from('#!/bin/sh\n'.repeat(200)), {}, /is not a tar archive/],
        ['empty', Buffer.alloc(0), {}, /the upload is empty/],
        ['corrupt gzip', Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), {}, /not valid gzip/],
        [
          'brotli',
          rawTar([{ path: 'Dockerfile', data: 'FROM scratch\n' }]),
          { encoding: 'br' },
          /unsupported Content-Encoding "br"/,
        ],
        [
          '.. member',
          rawTar([{ path: '../../../../etc/cron.d/pwn', data: '* * * * * root touch /tmp/x\n' }]),
          {},
          /member "\.\.\/\.\.\/\.\.\/\.\.\/etc\/cron\.d\/pwn" that contains "\.\."/,
        ],
        ['absolute member', rawTar([{ path: '/etc/cron.d/pwn', data: 'x' }]), {}, /that is an absolute path/],
        [
          'file through a link',
          rawTar([
            { path: 'l', type: 'SymbolicLink', linkpath: '/etc' },
            { path: 'l/cron.d/pwn', data: 'x' },
          ]),
          {},
          /goes through the symbolic link "l"/,
        ],
        [
          'CA certificate as a query option',
          rawTar([{ path: 'Dockerfile', data: 'FROM scratch\n' }]),
          { query: `?option=${encodeURIComponent('caCert=-----BEGIN CERTIFICATE-----')}` },
          /the CA certificate is not a build option/,
        ],
      ];
      for (const [name, body, opts, message] of cases) {
        const answer = await post(body, opts);
        assert.equal(answer.status, 400, `${name}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.error?.code, 'INVALID_INPUT', name);
        assert.match(answer.body.error!.message, message, name);
        assert.ok(answer.body.error!.hint, name);
      }
      assert.deepEqual(leftovers(), []);
      assert.equal(existsSync('/etc/cron.d/pwn'), false);
      const releases = JSON.parse((await h.ok('releases', '-a', app, '--json')).stdout) as unknown[];
      assert.deepEqual(releases, [], 'nothing was released');
    },
  );

  test('the CLI refuses --ca-cert when the directory already has the reserved .slipway-build', async () => {
    const dir = o.dir('reserved', { Dockerfile: 'FROM scratch\n' });
    mkdirSync(join(dir, '.slipway-build'));
    const result = await h.cli('deploy', '-a', app, dir, '--ca-cert', '/etc/ssl/certs/ca-certificates.crt', '--json');
    assert.equal(result.code, 1);
    const error = (JSON.parse(result.stdout) as Answer['body']).error!;
    assert.equal(error.code, 'INVALID_INPUT');
    assert.match(error.message, /has \.slipway-build, a name Slipway reserves/);
  });
});
