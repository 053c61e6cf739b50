import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTransferState, foldTransferMessage, registryErrorHint } from './registry-progress.js';

const digest = `sha256:${'d'.repeat(64)}`;

test('layer progress, the final digest, and errors are folded from the stream', () => {
  const state = emptyTransferState();
  assert.deepEqual(
    foldTransferMessage(state, { status: 'Pushing', id: '5f70bf18a086', progressDetail: { current: 5, total: 9 } }),
    { layer: '5f70bf18a086', status: 'Pushing', current: 5, total: 9 },
  );
  assert.equal(foldTransferMessage(state, { status: `v1: digest: ${digest} size: 527` }), undefined);
  assert.equal(state.digest, digest);
  foldTransferMessage(state, { aux: { Tag: 'v1', Digest: digest, Size: 527 } });
  assert.deepEqual(state, { digest, error: undefined });
  foldTransferMessage(state, { error: 'x', errorDetail: { message: 'unauthorized: authentication required' } });
  assert.equal(state.error, 'unauthorized: authentication required');
});

test('hints name what to do', () => {
  assert.match(registryErrorHint('unauthorized: authentication required', 'r:1'), /credentials/);
  assert.match(registryErrorHint('x509: certificate signed by unknown authority', 'r:1'), /certs\.d\/r:1\/ca\.crt/);
  assert.match(registryErrorHint('dial tcp: connection refused', 'r:1'), /running/);
});
