import { createHmac, timingSafeEqual } from 'node:crypto';

export const HOOK_PROVIDERS = ['github', 'gitlab', 'gitea'] as const;
export type HookProvider = (typeof HOOK_PROVIDERS)[number];

export function isHookProvider(value: string): value is HookProvider {
  return (HOOK_PROVIDERS as readonly string[]).includes(value);
}

/** Request headers as Node gives them (lower-case names). */
export type HookHeaders = Record<string, string | string[] | undefined>;

export function header(headers: HookHeaders, name: string): string | undefined {
  const raw = headers[name.toLowerCase()];
  return Array.isArray(raw) ? raw[0] : raw;
}

/**
 * Whether a delivery is signed with the hook's secret (pure): GitHub `X-Hub-Signature-256: sha256=<hex HMAC-SHA256
 * of the raw body>`, GitLab `X-Gitlab-Token: <secret>`, Gitea `X-Gitea-Signature: <hex HMAC-SHA256>`. Every
 * comparison is constant-time over equal-length buffers; a missing, empty or malformed header is false.
 */
export function verifySignature(provider: HookProvider, headers: HookHeaders, body: Buffer, secret: string): boolean {
  if (!secret) return false;
  if (provider === 'gitlab') {
    const token = header(headers, 'x-gitlab-token');
    return token !== undefined && token !== '' && sameBytes(Buffer.from(token, 'utf8'), Buffer.from(secret, 'utf8'));
  }
  const raw = header(headers, provider === 'github' ? 'x-hub-signature-256' : 'x-gitea-signature');
  if (!raw) return false;
  const hex = provider === 'github' ? (raw.startsWith('sha256=') ? raw.slice(7) : undefined) : raw;
  if (hex === undefined || !/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  return sameBytes(Buffer.from(hex.toLowerCase(), 'hex'), hmacSha256(secret, body));
}

export function hmacSha256(secret: string, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

/** Constant-time equality; unequal lengths are compared against a same-length copy so the time does not tell. */
function sameBytes(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) {
    timingSafeEqual(b, b);
    return false;
  }
  return timingSafeEqual(a, b);
}
