import { CronExpressionParser } from 'cron-parser';
import { SlipwayError } from '../core/errors.js';

/**
 * Five-field cron schedules (minute hour day-of-month month day-of-week), always in UTC, read by
 * cron-parser (ranges, lists, steps, names); the fields are checked here first so that an error names
 * the field, and Quartz/Jenkins extensions (seconds, `?`, `L`, `W`, `#`, `H`) are refused.
 */

const FIELDS = ['minute', 'hour', 'day of month', 'month', 'day of week'] as const;
const NAMES: Partial<Record<(typeof FIELDS)[number], string[]>> = {
  month: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  'day of week': ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
};
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MAX_LENGTH = 200;

export const SCHEDULE_HINT =
  'five fields, in UTC: minute hour day-of-month month day-of-week, e.g. "0 3 * * *" (03:00 UTC every day), ' +
  '"*/15 * * * *", "0 9 * * mon-fri"; ranges 1-5, lists 1,15, steps */10, names jan-dec and sun-sat, ' +
  'or @hourly, @daily, @weekly, @monthly, @yearly';

function invalid(schedule: string, reason: string): SlipwayError {
  return new SlipwayError('INVALID_INPUT', `invalid schedule ${JSON.stringify(schedule.slice(0, 80))}: ${reason}`, {
    hint: SCHEDULE_HINT,
  });
}

function parse(expression: string, currentDate: number) {
  return CronExpressionParser.parse(expression, { tz: 'UTC', currentDate: new Date(currentDate) });
}

/** Lower-case message of cron-parser, without its capital first word. */
function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Validates a schedule and returns it in its five-field form (a macro expanded, spaces normalized). */
export function parseSchedule(raw: string): string {
  const text = raw.trim();
  if (text.length === 0) throw invalid(raw, 'it is empty');
  if (text.length > MAX_LENGTH) throw invalid(raw, `it is longer than ${MAX_LENGTH} characters`);
  const expanded = MACROS[text.toLowerCase()] ?? text;
  if (expanded.startsWith('@')) throw invalid(raw, `unknown macro ${JSON.stringify(text.slice(0, 20))}`);
  const fields = expanded.split(/\s+/);
  if (fields.length !== 5) throw invalid(raw, `a schedule has 5 fields, this one has ${fields.length}`);
  fields.forEach((field, i) => checkField(raw, FIELDS[i]!, field, fields, i));
  const expression = fields.join(' ');
  try {
    parse(expression, 0);
  } catch (err) {
    throw invalid(raw, reason(err));
  }
  return expression;
}

function checkField(raw: string, name: (typeof FIELDS)[number], field: string, fields: string[], at: number): void {
  if (!/^[0-9A-Za-z*,/-]+$/.test(field))
    throw invalid(raw, `${name} ${JSON.stringify(field)}: only digits, names, *, ",", "-" and "/" are allowed`);
  const names = NAMES[name] ?? [];
  for (const word of field.match(/[A-Za-z]+/g) ?? []) {
    if (!names.includes(word.toLowerCase()))
      throw invalid(
        raw,
        names.length > 0
          ? `${name}: unknown name ${JSON.stringify(word)} (use ${names[0]}-${names[names.length - 1]})`
          : `${name}: ${JSON.stringify(word)} is not a number`,
      );
  }
  // The field alone (the others "*"), so the error names it.
  const probe = fields.map((f, i) => (i === at ? f : '*')).join(' ');
  try {
    parse(probe, 0);
  } catch (err) {
    throw invalid(raw, `${name} ${JSON.stringify(field)}: ${reason(err)}`);
  }
}

/** The first time strictly after `afterMs` the schedule names (UTC). */
export function nextRun(expression: string, afterMs: number): number {
  return parse(expression, afterMs).next().getTime();
}

/**
 * The times the schedule named in [fromMs, toMs] (`fromMs` being one of them): how many (at most
 * `cap`) and the last one.
 */
export function occurrences(expression: string, fromMs: number, toMs: number, cap = 1000) {
  const latest = parse(expression, toMs + 1)
    .prev()
    .getTime();
  let count = 1;
  const it = parse(expression, fromMs);
  while (count < cap && it.next().getTime() <= toMs) count++;
  return { count, latest: Math.max(latest, fromMs), capped: count >= cap };
}
