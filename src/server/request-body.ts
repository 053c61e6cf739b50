import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { SlipwayError } from '../core/errors.js';
import { formatIssues } from '../analyze/text.js';
import { readJson } from './http-kit.js';

/** A body's schema and the hint an error about it carries (the CLI command that sends it). */
export interface BodySchema<S extends z.ZodType> {
  schema: S;
  hint: string;
}

const MESSAGE_MAX = 500;

/** Where a `__proto__` key hides in a parsed JSON value (zod drops such keys silently: refuse them instead). */
function protoKeyPath(value: unknown, path: string[] = []): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (key === '__proto__') return [...path, key].join('.');
    const found = protoKeyPath(inner, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/** Validates `value` (what: "request body", "spec") with a schema; errors name each dotted path. */
export function parseInput<S extends z.ZodType>(body: BodySchema<S>, value: unknown, what: string): z.output<S> {
  const proto = protoKeyPath(value);
  if (proto) throw invalid(`${what}: ${proto}: not a name this API accepts`, body.hint);
  const parsed = body.schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw invalid(`${what}: ${formatIssues(parsed.error.issues)}`, body.hint);
}

/** Names from the request appear in the message (never values): it is cut at a readable length. */
function invalid(message: string, hint: string): SlipwayError {
  const shown = message.length > MESSAGE_MAX ? `${message.slice(0, MESSAGE_MAX)}…` : message;
  return new SlipwayError('INVALID_INPUT', shown, { hint });
}

/** Reads the request's JSON object body and validates it (an empty body is `{}`). */
export async function readBody<S extends z.ZodType>(req: IncomingMessage, body: BodySchema<S>): Promise<z.output<S>> {
  return parseInput(body, await readJson(req), 'request body');
}
