import { LineCounter, parseDocument } from 'yaml';
import { SlipwayError } from '../core/errors.js';

/**
 * Limits for every manifest Slipway parses from an upload (JSON, TOML, YAML): bigger input is
 * refused before parsing, YAML aliases are capped (a "billion laughs" document is INVALID_INPUT,
 * never a hang or an out-of-memory), and any parser failure is INVALID_INPUT naming the file.
 */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_YAML_BYTES = 1024 * 1024;
export const MAX_YAML_ALIASES = 100;

/** INVALID_INPUT when a manifest is larger than `max` (checked before any parser sees it). */
export function assertManifestSize(file: string, text: string, max = MAX_MANIFEST_BYTES): void {
  if (text.length > max || Buffer.byteLength(text) > max) {
    throw invalidManifest(file, `larger than ${max / 1024} KiB; Slipway does not parse files that large`, {
      hint: `make ${file} smaller`,
    });
  }
}

/**
 * Parses YAML text with the limits above; errors name the file and line. `lines` turns an offset
 * into a line (for schema errors); the plain JS value is returned.
 */
export function parseYamlManifest(file: string, text: string, opts: { hint?: string } = {}): unknown {
  assertManifestSize(file, text, MAX_YAML_BYTES);
  const lines = new LineCounter();
  let value: unknown;
  try {
    const doc = parseDocument(text, { prettyErrors: false, lineCounter: lines, uniqueKeys: true, merge: true });
    const error = doc.errors[0];
    if (error)
      throw invalidManifest(file, `not valid YAML (${error.message.split('\n')[0]})`, {
        line: lines.linePos(error.pos[0]).line,
        hint: opts.hint ?? 'check the indentation and quoting',
      });
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    if (err instanceof SlipwayError) throw err;
    const aliases = err instanceof ReferenceError && /alias/i.test(err.message);
    const problem = aliases
      ? `uses YAML aliases too much (more than ${MAX_YAML_ALIASES} expansions: a resource exhaustion attack?)`
      : `not valid YAML (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
    throw invalidManifest(file, problem, {
      hint: aliases
        ? 'write the values out instead of repeating anchors (*alias)'
        : (opts.hint ?? 'check the indentation and quoting'),
      cause: err,
    });
  }
  return value;
}

/** 1-based number of the first line matching `pattern`, or undefined. */
export function lineOf(text: string, pattern: RegExp): number | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    if (pattern.test(lines[i] ?? '')) return i + 1;
  }
  return undefined;
}

/** 1-based line of a JSON object key, e.g. `"express":` (for evidence only; detection uses the parsed value). */
export function jsonKeyLine(text: string, key: string): number | undefined {
  return lineOf(text, new RegExp(`^\\s*"${escapeRegExp(key)}"\\s*:`));
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** 1-based line of a character offset. */
export function lineAtOffset(text: string, offset: number): number {
  return text.slice(0, Math.max(0, offset)).split('\n').length;
}

/** The error for a manifest that cannot be read: names the file and, when known, the line. */
export function invalidManifest(
  file: string,
  problem: string,
  options: { line?: number; hint?: string; cause?: unknown } = {},
): SlipwayError {
  const where = options.line === undefined ? file : `${file}:${options.line}`;
  return new SlipwayError('INVALID_INPUT', `${where}: ${problem}`, {
    hint: options.hint ?? `fix ${file}, or add a Dockerfile to build the app yourself`,
    cause: options.cause,
    details: { file, ...(options.line === undefined ? {} : { line: options.line }) },
  });
}

/** Parses JSON text, turning a syntax error into an INVALID_INPUT error with the file and line. */
export function parseJsonManifest(file: string, text: string): unknown {
  assertManifestSize(file, text);
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const position = /position (\d+)/.exec(message);
    const lineCol = /line (\d+) column/.exec(message);
    const line = lineCol ? Number(lineCol[1]) : position ? lineAtOffset(text, Number(position[1])) : undefined;
    throw invalidManifest(file, `not valid JSON (${message})`, { line, cause: err });
  }
}

interface IssueLike {
  code?: string;
  path: ReadonlyArray<PropertyKey>;
  message: string;
  keys?: readonly string[];
  issues?: ReadonlyArray<IssueLike>;
}

function dotted(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
}

/** Formats zod issues as `path.to.key: message`; unknown keys are named by their own dotted path. */
export function formatIssues(issues: ReadonlyArray<IssueLike>): string {
  return issues
    .flatMap((issue) => {
      if (issue.code === 'unrecognized_keys' && issue.keys)
        return issue.keys.map((k) => `${dotted([...issue.path, k])}: unknown key`);
      const message = issue.code === 'invalid_key' && issue.issues?.[0] ? issue.issues[0].message : issue.message;
      const path = dotted(issue.path);
      return [path === '' ? message : `${path}: ${message}`];
    })
    .join('; ');
}

/** Strips a trailing `# comment` (outside quotes) from a line of Ruby / Python / shell-like text. */
export function stripHashComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}
