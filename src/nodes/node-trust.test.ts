import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Parser, type ReadEntry } from 'tar';
import { tarOf } from './node-trust.js';

test('tarOf: directories and files, in order, with their bytes and modes (read back by tar)', async () => {
  const data = Buffer.from('-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n');
  const tar = tarOf([{ path: '10.0.0.1:5000/' }, { path: '10.0.0.1:5000/ca.crt', data, mode: 0o644 }]);
  assert.equal(tar.length % 512, 0);
  const seen: { path: string; type: string; mode: number; body: string }[] = [];
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      onReadEntry: (entry: ReadEntry) => {
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () =>
          seen.push({
            path: entry.path,
            type: entry.type,
            mode: entry.mode! & 0o777,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    });
    parser.on('end', resolve);
    parser.on('error', reject);
    parser.end(tar);
  });
  assert.deepEqual(seen, [
    { path: '10.0.0.1:5000/', type: 'Directory', mode: 0o755, body: '' },
    { path: '10.0.0.1:5000/ca.crt', type: 'File', mode: 0o644, body: data.toString() },
  ]);
});
