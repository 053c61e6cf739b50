import { isIPv6 } from 'node:net';

/** Failed logins per user name (or per client address) within the window before the next is refused. */
export const LOGIN_FAILURES_ALLOWED = 10;
export const LOGIN_WINDOW_MS = 10 * 60_000;
/** Keys kept at most (user names and addresses); past it the oldest go first. */
const MAX_KEYS = 20_000;

/**
 * Counts login attempts per user and per client address (IPv6 per /64: one host has a whole prefix). An
 * attempt counts as a failure from the moment it starts, so concurrent guesses cannot all pass the check;
 * a success takes its count back. Pure bookkeeping, in memory: a restart forgets it.
 */
export class LoginLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The keys of this attempt, or undefined when one of them is over the limit. */
  begin(user: string, source: string): string[] | undefined {
    const keys = [`user:${user}`, `source:${addressKey(source)}`];
    const now = this.now();
    if (keys.some((key) => this.recent(key, now).length >= LOGIN_FAILURES_ALLOWED)) return undefined;
    for (const key of keys) {
      const kept = this.recent(key, now);
      this.attempts.delete(key); // re-inserted last: the map's order is oldest first
      this.attempts.set(key, [...kept, now]);
    }
    this.sweep(now);
    return keys;
  }

  /** The attempt succeeded: it is not a failure. */
  succeeded(keys: string[]): void {
    for (const key of keys) {
      const list = this.attempts.get(key);
      list?.pop();
      if (list && list.length === 0) this.attempts.delete(key);
    }
  }

  size(): number {
    return this.attempts.size;
  }

  private recent(key: string, now: number): number[] {
    return (this.attempts.get(key) ?? []).filter((at) => now - at < LOGIN_WINDOW_MS);
  }

  private sweep(now: number): void {
    if (this.attempts.size <= MAX_KEYS) return;
    for (const [key, list] of this.attempts) {
      if (this.attempts.size <= MAX_KEYS / 2) break;
      if (list.every((at) => now - at >= LOGIN_WINDOW_MS) || this.attempts.size > MAX_KEYS) this.attempts.delete(key);
    }
  }
}

/** An address as the limiter counts it: IPv4 as is, IPv6 by its first 64 bits. */
export function addressKey(source: string): string {
  const address = source.split(' ')[0] ?? source;
  if (!isIPv6(address) || address.startsWith('::ffff:')) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
