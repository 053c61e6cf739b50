import { SlipwayError } from '../core/errors.js';
import { isValidProcessType } from '../core/names.js';

export interface ProcfileEntry {
  name: string;
  command: string;
  line: number;
}

const ENTRY = /^([A-Za-z0-9_-]+)\s*:\s*(.*)$/;

/**
 * Parses a Procfile: `name: command` lines; blank lines and `#` comment lines are skipped.
 * Anything else, an empty command, an invalid or duplicate name is an error naming the line.
 * Entries come back in file order.
 */
export function parseProcfile(text: string, file = 'Procfile'): ProcfileEntry[] {
  const entries: ProcfileEntry[] = [];
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const lineNo = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = ENTRY.exec(trimmed);
    if (!match) throw procfileError(file, lineNo, `expected "name: command", got ${JSON.stringify(trimmed)}`);
    const name = match[1] as string;
    const command = (match[2] as string).trim();
    if (!isValidProcessType(name)) {
      throw procfileError(
        file,
        lineNo,
        `invalid process type ${JSON.stringify(name)}`,
        'process types are 1-30 lowercase letters, digits, "_" or "-", starting with a letter (e.g. web, worker)',
      );
    }
    if (command === '') throw procfileError(file, lineNo, `process type "${name}" has no command`);
    const previous = seen.get(name);
    if (previous !== undefined)
      throw procfileError(file, lineNo, `process type "${name}" is already defined on line ${previous}`);
    seen.set(name, lineNo);
    entries.push({ name, command, line: lineNo });
  }
  return entries;
}

function procfileError(file: string, line: number, problem: string, hint?: string): SlipwayError {
  return new SlipwayError('PROCFILE_INVALID', `${file}:${line}: ${problem}`, {
    hint:
      hint ?? 'each Procfile line is "name: command", e.g. "web: node server.js"; lines starting with # are comments',
    details: { file, line },
  });
}
