import { SlipwayError } from '../core/errors.js';
import { isValidProcessType } from '../core/names.js';

/** Lines of backlog `logs` shows when no tail is given. */
export const DEFAULT_LOG_TAIL = 100;
/** Most lines of backlog one `logs` request may ask for. */
export const MAX_LOG_TAIL = 10_000;
/** Lines a follower may have queued for a slow client before the container streams wait. */
export const FOLLOW_QUEUE_LINES = 512;

/** `?tail=` → a whole number of lines in 0…MAX_LOG_TAIL (missing → the default). */
export function parseTail(raw: string | null | undefined): number {
  if (raw === null || raw === undefined || raw === '') return DEFAULT_LOG_TAIL;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) > MAX_LOG_TAIL) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `tail must be a whole number of lines from 0 to ${MAX_LOG_TAIL}, not ${JSON.stringify(raw.slice(0, 40))}`,
      {
        hint: `slipway logs -a APP -n 200 (at most ${MAX_LOG_TAIL}; use -f to follow new lines)`,
      },
    );
  }
  return Number(raw);
}

/** `?ps=` → a process type name, or undefined for all of them. */
export function parseProcessFilter(raw: string | null | undefined): string | undefined {
  if (raw === null || raw === undefined || raw === '') return undefined;
  if (!isValidProcessType(raw)) {
    throw new SlipwayError('INVALID_INPUT', `${JSON.stringify(raw.slice(0, 40))} is not a process type name`, {
      hint: 'process types are lowercase letters, digits, "_" or "-", starting with a letter, e.g. --ps web',
    });
  }
  return raw;
}
