import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { SlipwayPaths } from './environment.js';

/** Creates SLIPWAY_HOME with its secret key and API token when missing (idempotent). Returns what it created. */
export function ensureHome(paths: SlipwayPaths): string[] {
  const created: string[] = [];
  for (const dir of [paths.home, paths.haproxyDir, paths.tmp]) {
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      created.push(dir);
    }
  }
  chmodSync(paths.home, 0o700);
  if (!existsSync(paths.secretKey)) {
    writeFileSync(paths.secretKey, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
    created.push(paths.secretKey);
  }
  if (!existsSync(join(paths.home, 'instance-id'))) {
    writeFileSync(join(paths.home, 'instance-id'), randomBytes(6).toString('hex') + '\n', { mode: 0o600 });
    created.push(join(paths.home, 'instance-id'));
  }
  if (!existsSync(paths.token)) {
    writeFileSync(paths.token, randomBytes(24).toString('hex') + '\n', { mode: 0o600 });
    created.push(paths.token);
  }
  return created;
}

export function readSecretKey(paths: SlipwayPaths): Buffer {
  return Buffer.from(readFileSync(paths.secretKey, 'utf8').trim(), 'base64');
}

export function readToken(paths: SlipwayPaths): string {
  return readFileSync(paths.token, 'utf8').trim();
}

/** This Slipway home's id: every container it makes carries it (label `slipway.instance`). */
export function readInstanceId(paths: SlipwayPaths): string {
  return readFileSync(join(paths.home, 'instance-id'), 'utf8').trim();
}
