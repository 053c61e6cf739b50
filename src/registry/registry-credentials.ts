import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import type { SecretBox } from '../store/secret-box.js';

/**
 * The supervised registry's one user: a generated name and a random password, kept sealed with
 * the home's SecretBox (`credentials.sealed`, mode 600); the registry only sees a bcrypt hash in
 * its htpasswd file (distribution accepts bcrypt only).
 */

export interface RegistryUser {
  username: string;
  password: string;
}

const BCRYPT_COST = 10;

export function registryCredentialFiles(dir: string): { sealedFile: string; htpasswdFile: string } {
  return { sealedFile: path.join(dir, 'credentials.sealed'), htpasswdFile: path.join(dir, 'htpasswd') };
}

/** `USER:$2y$…` — one htpasswd line (bcrypt); the `$2y$` prefix is what Apache's htpasswd writes. */
export function htpasswdLine(username: string, password: string, cost = BCRYPT_COST): string {
  const hash = bcrypt.hashSync(password, cost).replace(/^\$2[ab]\$/, '$2y$');
  return `${username}:${hash}\n`;
}

export function htpasswdMatches(line: string, username: string, password: string): boolean {
  const [user, hash] = line.trim().split(':', 2);
  if (user !== username || !hash) return false;
  return bcrypt.compareSync(password, hash.replace(/^\$2y\$/, '$2b$'));
}

/** Reads the sealed user or makes one; (re)writes the htpasswd file when it does not match. */
export async function ensureRegistryUser(
  dir: string,
  box: SecretBox,
): Promise<RegistryUser & { htpasswdFile: string }> {
  const { sealedFile, htpasswdFile } = registryCredentialFiles(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let user = await readSealed(sealedFile, box);
  if (!user) {
    user = { username: `slipway-${randomBytes(4).toString('hex')}`, password: randomBytes(24).toString('base64url') };
    await writeAtomic(sealedFile, `${box.sealJson(user)}\n`);
  }
  const current = await readFile(htpasswdFile, 'utf8').catch(() => '');
  if (!htpasswdMatches(current, user.username, user.password)) {
    await writeAtomic(htpasswdFile, htpasswdLine(user.username, user.password));
  }
  return { ...user, htpasswdFile };
}

async function readSealed(file: string, box: SecretBox): Promise<RegistryUser | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const user = box.openJson<RegistryUser>(text.trim());
  return typeof user.username === 'string' && typeof user.password === 'string' ? user : undefined;
}

async function writeAtomic(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}
