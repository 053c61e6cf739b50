import { SlipwayError } from './errors.js';

/** Sleep that honours an AbortSignal. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new SlipwayError('ABORTED', 'operation aborted');
}

/** A signal that fires on the parent's abort or after `ms`, whichever is first. */
export function withTimeout(ms: number, parent?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return parent ? AbortSignal.any([parent, timeout]) : timeout;
}

/**
 * Polls `check` until it returns a non-undefined value, every `intervalMs`, for at most `timeoutMs`.
 * On timeout throws SlipwayError TIMEOUT with `describe()` in the message.
 */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs: number; signal?: AbortSignal; what: string; hint?: string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() + opts.intervalMs > deadline) {
      throw new SlipwayError('TIMEOUT', `timed out after ${opts.timeoutMs} ms waiting for ${opts.what}`, {
        hint: opts.hint,
      });
    }
    await sleep(opts.intervalMs, opts.signal);
  }
}
