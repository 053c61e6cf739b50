import { SlipwayError } from '../core/errors.js';
import { isValidProcessType } from '../core/names.js';

export interface ProcfileEntry {
  type: string;
  command: string;
  line: number;
}

/**
 * Parses a Procfile: `type: command` per line; blank lines and `#` comments are ignored.
 * Returns entries with `web` first, then in file order. Throws PROCFILE_INVALID naming the line.
 */
export function parseProcfile(text: string, file = 'Procfile'): ProcfileEntry[] {
  const entries: ProcfileEntry[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = /^([^:\s]+)\s*:\s*(.*)$/.exec(trimmed);
    if (!match) throw invalid(file, line, `expected "type: command", got ${JSON.stringify(trimmed)}`);
    const [, type = '', command = ''] = match;
    if (!isValidProcessType(type)) {
      throw invalid(
        file,
        line,
        `invalid process type ${JSON.stringify(type)}`,
        'process types are lowercase letters, digits, "-" and "_", starting with a letter (e.g. web, worker)',
      );
    }
    if (command.trim() === '') throw invalid(file, line, `process type "${type}" has no command`);
    if (seen.has(type)) throw invalid(file, line, `process type "${type}" is defined twice`);
    seen.add(type);
    entries.push({ type, command: command.trim(), line });
  });
  if (entries.length === 0)
    throw invalid(file, 0, 'no process types defined', 'add a line such as "web: node server.js"');
  return [...entries.filter((e) => e.type === 'web'), ...entries.filter((e) => e.type !== 'web')];
}

/** Process type → command, `release` excluded (it runs once per release, not as a long-running process). */
export function procfileProcesses(entries: ProcfileEntry[]): Record<string, string> {
  return Object.fromEntries(entries.map((e) => [e.type, e.command]));
}

function invalid(file: string, line: number, message: string, hint?: string): SlipwayError {
  const where = line > 0 ? `${file}:${line}` : file;
  return new SlipwayError('PROCFILE_INVALID', `${where}: ${message}`, {
    hint: hint ?? 'each line of a Procfile is "type: command", for example "web: node server.js"',
    details: { file, line },
  });
}
