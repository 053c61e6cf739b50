import { test } from 'node:test';
import assert from 'node:assert/strict';
import { switchableEngine } from './switchable-engine.js';
import type { ContainerEngine } from './port.js';

test('calls go to the engine in use; optional members follow it', async () => {
  const a = { ping: async () => undefined, name: 'a' } as unknown as ContainerEngine;
  const b = { ping: async () => undefined, info: async () => ({ liveRestore: false, serverVersion: 'b' }) };
  const s = switchableEngine(a);
  assert.equal(s.engine.info, undefined);
  s.use(b as unknown as ContainerEngine);
  assert.equal((await s.engine.info!()).serverVersion, 'b');
  assert.equal(s.current(), b);
});
