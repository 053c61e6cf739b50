import { sleep } from './abort.js';

/** The clock port (DESIGN habit 4): what time it is, and waiting for a while. Tests drive their own. */
export interface Clock {
  /** ms since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep };
