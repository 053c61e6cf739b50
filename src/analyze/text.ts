import { SlipwayError } from '../core/errors.js';

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
export function invalidManifest(file: string, problem: string, options: { line?: number; hint?: string; cause?: unknown } = {}): SlipwayError {
  const where = options.line === undefined ? file : `${file}:${options.line}`;
  return new SlipwayError('INVALID_INPUT', `${where}: ${problem}`, {
    hint: options.hint ?? `fix ${file}, or add a Dockerfile to build the app yourself`,
    cause: options.cause,
    details: { file, ...(options.line === undefined ? {} : { line: options.line }) },
  });
}

/** Parses JSON text, turning a syntax error into an INVALID_INPUT error with the file and line. */
export function parseJsonManifest(file: string, text: string): unknown {
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
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

/** Formats zod issues as `path.to.key: message`; unknown keys are named by their own dotted path. */
export function formatIssues(issues: ReadonlyArray<IssueLike>): string {
  return issues
    .flatMap((issue) => {
      if (issue.code === 'unrecognized_keys' && issue.keys) return issue.keys.map((k) => `${dotted([...issue.path, k])}: unknown key`);
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
