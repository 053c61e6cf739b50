import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import { SlipwayError } from '../core/errors.js';
import type { AuthPrincipal } from '../auth/auth-service.js';
import type { Store } from '../store/store.js';
import type { SshKey } from '../store/ssh-key-repository.js';
import type { User } from '../store/user-repository.js';

const KEY_NAME = /^[A-Za-z0-9._@+-]{1,60}$/;
const KEY_TYPES = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com)$/;

/** `SHA256:…` of a key blob, as OpenSSH prints it. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** One OpenSSH public key line (`TYPE BASE64 [COMMENT]`): its canonical text, fingerprint and name. */
export function parsePublicKey(text: string, name?: string): { name: string; fingerprint: string; publicKey: string } {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const [type, base64, ...comment] = (lines[0] ?? '').trim().split(/\s+/);
  const bad = (why: string) =>
    new SlipwayError('INVALID_INPUT', `not an OpenSSH public key: ${why}`, {
      hint: 'give the .pub file, e.g. slipway keys:add ~/.ssh/id_ed25519.pub',
    });
  if (lines.length !== 1) throw bad('one key per file');
  if (!type || !base64 || !KEY_TYPES.test(type)) throw bad('unknown key type');
  const publicKey = `${type} ${base64}`;
  const parsed = ssh2.utils.parseKey(publicKey);
  if (parsed instanceof Error || Array.isArray(parsed) || parsed.isPrivateKey()) throw bad('it does not parse');
  const keyName = name ?? comment.join(' ');
  if (!KEY_NAME.test(keyName))
    throw new SlipwayError('INVALID_INPUT', 'a key name is 1-60 letters, digits, ".", "_", "@", "+" or "-"', {
      hint: keyName ? 'name it: --name laptop' : 'the key has no comment: name it with --name laptop',
    });
  return { name: keyName, fingerprint: fingerprintOf(parsed.getPublicSSH()), publicKey };
}

/** Users' SSH keys: added, listed and removed by their owner; looked up by the SSH server. */
export class SshKeyService {
  constructor(private readonly store: Store) {}

  add(p: AuthPrincipal, text: string, name?: string): SshKey {
    const key = parsePublicKey(text, name);
    const known = this.store.sshKeys.byFingerprint(key.fingerprint);
    if (known)
      throw new SlipwayError(
        'APP_EXISTS',
        known.user === p.user.name
          ? `you added this key already, as ${known.name}`
          : 'this key belongs to another user',
        { hint: 'see `slipway keys`' },
      );
    if (this.store.sshKeys.list(p.user.name).some((k) => k.name === key.name))
      throw new SlipwayError('APP_EXISTS', `you have a key named ${key.name}`, { hint: 'name this one: --name NAME' });
    return this.store.sshKeys.add(p.user.id, key, new Date().toISOString());
  }

  list(p: AuthPrincipal): SshKey[] {
    return this.store.sshKeys.list(p.user.name);
  }

  /** By name or fingerprint; only the caller's own keys. */
  remove(p: AuthPrincipal, nameOrFingerprint: string): SshKey {
    const key = this.list(p).find((k) => k.name === nameOrFingerprint || k.fingerprint === nameOrFingerprint);
    if (!key)
      throw new SlipwayError('NOT_FOUND', `no key ${JSON.stringify(nameOrFingerprint.slice(0, 80))} of yours`, {
        hint: 'see `slipway keys`',
      });
    this.store.sshKeys.remove(key.id);
    return key;
  }

  /** The user a presented public key blob belongs to. */
  owner(blob: Buffer): { user: User; key: SshKey } | undefined {
    const key = this.store.sshKeys.byFingerprint(fingerprintOf(blob));
    const user = key ? this.store.users.find(key.user) : undefined;
    if (!key || !user) return undefined;
    this.store.sshKeys.touch(key.id, new Date().toISOString());
    return { user, key };
  }
}
