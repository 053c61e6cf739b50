import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../store.js';

/**
 * Test-only: a real SQLite store in a temporary directory (with `apps` created), removed afterwards.
 * `file` is the database path, for tests that open it a second time.
 */
export async function withTempStore(
  fn: (store: Store, file: string) => void | Promise<void>,
  apps: string[] = [],
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-store-'));
  const file = join(dir, 'slipway.db');
  const store = openStore(file, randomBytes(32));
  try {
    for (const app of apps) store.apps.create(app, new Date().toISOString());
    await fn(store, file);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
