import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SlipwayError } from '../core/errors.js';

/** AES-256-GCM encryption of config values at rest. Format: v1:<iv b64>:<tag b64>:<ciphertext b64>. */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new SlipwayError('INTERNAL', 'secret key must be 32 bytes');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
  }

  open(sealed: string): string {
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || data === undefined) {
      throw new SlipwayError('INTERNAL', 'stored secret has an unknown format');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new SlipwayError('INTERNAL', 'could not decrypt stored config', {
        cause,
        hint: 'the secret key under SLIPWAY_HOME does not match the one the store was written with',
      });
    }
  }

  sealJson(value: unknown): string {
    return this.seal(JSON.stringify(value));
  }

  openJson<T>(sealed: string): T {
    return JSON.parse(this.open(sealed)) as T;
  }
}
