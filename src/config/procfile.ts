import { SlipwayError } from '../core/errors.js';
import { isValidProcessType } from '../core/names.js';

/**
 * The one Procfile parser: deploys of a Dockerfile or build.yml, source analysis and the analyzed
 * build all read a Procfile through it, with one set of rules and messages.
 */
export interface ProcfileEntry {
  type: string;
  command: string;
  /** 1-based line in the file. */
  line: number;
}

const ENTRY = /^([^:\s]+)\s*:\s*(.*)$/;
/** `#release: ./manage.py migrate`: an entry someone commented out (reported by the analysis, never run). */
const COMMENTED_ENTRY = /^#+\s*([a-z][a-z0-9_-]{0,29})\s*:\s*(\S.*)$/;

/**
 * Parses a Procfile: `type: command` per line. Blank lines and lines starting with `#` (after
 * spaces) are comments: a commented-out entry is not a process. Entries come back in file order.
 * A line that is not an entry, an invalid or duplicate type, an empty command, or a file without
 * any entry is PROCFILE_INVALID naming the file and line.
 */
export function parseProcfile(text: string, file = 'Procfile'): ProcfileEntry[] {
  const entries: ProcfileEntry[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = ENTRY.exec(trimmed);
    if (!match) throw invalid(file, line, `expected "type: command", got ${JSON.stringify(trimmed.slice(0, 80))}`);
    const type = match[1]!;
    const command = match[2]!.trim();
    if (!isValidProcessType(type)) {
      throw invalid(
        file,
        line,
        `invalid process type ${JSON.stringify(type.slice(0, 40))}`,
        'process types are 1-30 lowercase letters, digits, "-" and "_", starting with a letter (e.g. web, worker)',
      );
    }
    if (command === '') throw invalid(file, line, `process type "${type}" has no command`);
    const first = seen.get(type);
    if (first !== undefined)
      throw invalid(file, line, `process type "${type}" is defined twice (first on line ${first})`);
    seen.set(type, line);
    entries.push({ type, command, line });
  });
  if (entries.length === 0)
    throw invalid(file, 0, 'no process types defined', 'add a line such as "web: node server.js", or remove the file');
  return entries;
}

/** Entries that are commented out (`#release: …`), for explanations only. */
export function commentedProcfileEntries(text: string): ProcfileEntry[] {
  const out: ProcfileEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const match = COMMENTED_ENTRY.exec(raw.trim());
    if (match) out.push({ type: match[1]!, command: match[2]!.trim(), line: i + 1 });
  });
  return out;
}

/**
 * Process type → command, web first, then in file order. `release` is included: it is not a
 * long-running process but the command the deploy runs once per release before traffic moves.
 */
export function procfileProcesses(entries: ProcfileEntry[]): Record<string, string> {
  const ordered = [...entries.filter((e) => e.type === 'web'), ...entries.filter((e) => e.type !== 'web')];
  return Object.fromEntries(ordered.map((e) => [e.type, e.command]));
}

function invalid(file: string, line: number, message: string, hint?: string): SlipwayError {
  const where = line > 0 ? `${file}:${line}` : file;
  return new SlipwayError('PROCFILE_INVALID', `${where}: ${message}`, {
    hint:
      hint ?? 'each Procfile line is "type: command", e.g. "web: node server.js"; lines starting with # are comments',
    details: { file, line },
  });
}
