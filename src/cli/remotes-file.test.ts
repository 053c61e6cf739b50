import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { parseRemotesFile } from './remotes-file.js';

// The zod schema remotes.json was checked with before the CLI stopped loading zod (issue 12).
const remoteSchema = z.object({
  url: z.string().url(),
  token: z.string().min(1).max(500),
  user: z.string().max(100),
  fingerprint: z.string().max(200).optional(),
  certificate: z.string().max(100_000).optional(),
  address: z.string().max(100).optional(),
  tokenId: z.number().int().optional(),
});
const fileSchema = z.object({
  current: z.string().max(100).optional(),
  remotes: z.record(z.string(), remoteSchema).default({}),
});

const remote = { url: 'https://slipway.example.com', token: 'slp_x', user: 'alice' };
const full = { ...remote, fingerprint: 'SHA256:AB', certificate: '-----BEGIN', address: '10.0.0.2', tokenId: 7 };

const FILES: unknown[] = [
  {},
  { remotes: {} },
  { current: 'prod', remotes: { prod: remote } },
  { current: 'prod' },
  { remotes: { prod: full, staging: { ...remote, user: '' } }, extra: true },
  { remotes: { prod: { ...remote, other: 'dropped' } } },
  { remotes: { prod: { ...remote, url: '  https://slipway.example.com/  ' } } },
  { remotes: { prod: { ...remote, url: 'https://slip\tway.example.com' } } },
  { remotes: { prod: { ...remote, url: 'mailto:a@b' } } },
  { remotes: { '': remote } },
  // refused
  null,
  [],
  'text',
  { current: 3 },
  { current: null },
  { current: 'x'.repeat(101) },
  { remotes: [] },
  { remotes: null },
  { remotes: { prod: null } },
  { remotes: { prod: [] } },
  { remotes: { x: { url: 3 } } },
  { remotes: { prod: { ...remote, url: 'not a url' } } },
  { remotes: { prod: { ...remote, url: '' } } },
  { remotes: { prod: { ...remote, token: '' } } },
  { remotes: { prod: { ...remote, token: 'x'.repeat(501) } } },
  { remotes: { prod: { ...remote, user: undefined } } },
  { remotes: { prod: { ...remote, user: 'x'.repeat(101) } } },
  { remotes: { prod: { ...remote, fingerprint: 'x'.repeat(201) } } },
  { remotes: { prod: { ...remote, certificate: 'x'.repeat(100_001) } } },
  { remotes: { prod: { ...remote, address: 5 } } },
  { remotes: { prod: { ...remote, tokenId: 1.5 } } },
  { remotes: { prod: { ...remote, tokenId: '7' } } },
  { remotes: { prod: { ...remote, tokenId: 2 ** 53 } } },
  { remotes: { prod: { ...remote, fingerprint: null } } },
];

test('remotes.json is accepted, cleaned and refused exactly as the zod schema did', () => {
  let accepted = 0;
  for (const raw of FILES) {
    const expected = fileSchema.safeParse(raw);
    const actual = parseRemotesFile(raw);
    const label = JSON.stringify(raw)?.slice(0, 120);
    if (!expected.success) {
      assert.equal(actual, undefined, `refused: ${label}`);
      continue;
    }
    accepted++;
    // Same fields, same values, same order (writeRemotes writes what readRemotes returned).
    assert.equal(JSON.stringify(actual), JSON.stringify(expected.data), label);
    assert.deepEqual(actual, expected.data, label);
  }
  assert.equal(accepted, 10);
});
