import { invalidManifest, stripHashComment } from '../text.js';

export interface GemDeclaration {
  name: string;
  line: number;
  groups: string[];
  path?: string;
  /** Version requirements as written (`~> 8.1.2`, `>= 7.0, < 8`), joined with ", ". */
  requirement?: string;
}

export interface Gemfile {
  gems: GemDeclaration[];
  ruby?: { value: string; line: number } | { file: string; line: number };
  /** `gemspec` directive: the app's own gemspec is a local dependency. */
  gemspec: boolean;
}

const BLOCK_OPENERS = /^(if|unless|case|begin|while|until|def|class|module)\b/;

/**
 * Parses the declarative subset of a Gemfile: `gem`, `ruby`, `group … do`/`end` and other blocks.
 * Other Ruby lines are ignored; a malformed `gem` / `ruby` line or unbalanced blocks are errors with the line.
 */
export function parseGemfile(text: string, file = 'Gemfile'): Gemfile {
  const result: Gemfile = { gems: [], gemspec: false };
  const blocks: Array<{ groups: string[]; line: number }> = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = stripHashComment(lines[i] ?? '').trim();
    if (line === '') continue;
    if (line === 'end' || /^end\b[\s.)]*$/.test(line)) {
      if (blocks.length === 0) throw invalidManifest(file, 'unexpected "end"', { line: lineNo });
      blocks.pop();
      continue;
    }
    const opensBlock = /\bdo(\s*\|[^|]*\|)?$/.test(line) || BLOCK_OPENERS.test(line);
    const currentGroups = blocks.flatMap((b) => b.groups);
    if (/^gem\b/.test(line)) {
      const m = /^gem\s*\(?\s*(['"])([A-Za-z0-9][\w.-]*)\1\s*(.*)$/.exec(line);
      if (!m)
        throw invalidManifest(file, `cannot read gem declaration ${JSON.stringify(line)}`, {
          line: lineNo,
          hint: 'write gems as gem "name", "~> 1.0" (a quoted name first)',
        });
      const rest = m[3] ?? '';
      if (rest !== '' && !/^[,)]/.test(rest) && !/^(do|if|unless)\b/.test(rest))
        throw invalidManifest(file, `unexpected text after gem name: ${JSON.stringify(rest)}`, { line: lineNo });
      const opts = parseOptions(rest);
      const groups = [...currentGroups, ...symbols(opts.group ?? opts.groups)];
      const requirement = quotedArgs(rest);
      result.gems.push({
        name: m[2] as string,
        line: lineNo,
        groups,
        ...(opts.path ? { path: unquote(opts.path) } : {}),
        ...(requirement ? { requirement } : {}),
      });
    } else if (/^ruby\b/.test(line)) {
      const version = /^ruby\s*\(?\s*(['"])([^'"]+)\1/.exec(line);
      const fromFile = /^ruby\s*\(?\s*(?:file:|:file\s*=>)\s*(['"])([^'"]+)\1/.exec(line);
      // `ruby '>= 3.2', '< 4.0'`: every requirement counts (and-ed), not only the first.
      if (version) result.ruby = { value: quotedArgs(line.replace(/^ruby\s*\(?/, ',')) ?? '', line: lineNo };
      else if (fromFile) result.ruby = { file: fromFile[2] as string, line: lineNo };
      else
        throw invalidManifest(file, `cannot read ruby version ${JSON.stringify(line)}`, {
          line: lineNo,
          hint: 'write ruby "3.3.0" or ruby file: ".ruby-version"',
        });
    } else if (/^gemspec\b/.test(line)) {
      result.gemspec = true;
    }
    if (opensBlock) {
      const group = /^group\s*\(?\s*(.*?)\s*\)?\s*do\b/.exec(line);
      blocks.push({ groups: group ? symbols(group[1]) : [], line: lineNo });
    }
  }
  const open = blocks[blocks.length - 1];
  if (open) throw invalidManifest(file, 'block is never closed with "end"', { line: open.line });
  return result;
}

/** The leading quoted positional arguments of a call (`, "~> 1.0", ">= 1.0.2", require: false`), joined. */
function quotedArgs(rest: string): string | undefined {
  const args: string[] = [];
  for (const m of rest.matchAll(/\s*,\s*(['"])([^'"]*)\1/gy)) args.push(m[2] as string);
  return args.length > 0 ? args.join(', ') : undefined;
}

function parseOptions(rest: string): Record<string, string> {
  const opts: Record<string, string> = {};
  for (const m of rest.matchAll(/(?:(\w+):|:(\w+)\s*=>)\s*(\[[^\]]*\]|'[^']*'|"[^"]*"|:\w+|\w+)/g)) {
    opts[(m[1] ?? m[2]) as string] = m[3] as string;
  }
  return opts;
}

function symbols(s: string | undefined): string[] {
  if (!s) return [];
  return [...s.matchAll(/:(\w+)|['"](\w+)['"]/g)].map((m) => (m[1] ?? m[2]) as string);
}

function unquote(s: string): string {
  return s.replace(/^['"]|['"]$/g, '');
}

export interface GemfileLock {
  /** Every locked gem (top-level spec names), sorted. */
  specs: string[];
  ruby?: { value: string; line: number };
}

const LOCK_SECTIONS = new Set([
  'GEM',
  'PATH',
  'GIT',
  'PLATFORMS',
  'DEPENDENCIES',
  'RUBY VERSION',
  'BUNDLED WITH',
  'CHECKSUMS',
  'PLUGIN SOURCE',
]);

/** Parses Gemfile.lock sections; an unknown top-level line is an error with its line number. */
export function parseGemfileLock(text: string, file = 'Gemfile.lock'): GemfileLock {
  const specs = new Set<string>();
  let section = '';
  let ruby: GemfileLock['ruby'];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    if (!line.startsWith(' ')) {
      if (!LOCK_SECTIONS.has(line.trim()))
        throw invalidManifest(file, `unknown section ${JSON.stringify(line.trim())}`, {
          line: i + 1,
          hint: 'regenerate it with "bundle lock"',
        });
      section = line.trim();
      continue;
    }
    const spec = /^ {4}([A-Za-z0-9][\w.-]*) \(/.exec(line);
    if (spec && (section === 'GEM' || section === 'PATH' || section === 'GIT')) specs.add(spec[1] as string);
    const rubyVersion = /^\s+ruby (\d+\.\d+\.\d+)/.exec(line);
    if (section === 'RUBY VERSION' && rubyVersion) ruby = { value: rubyVersion[1] as string, line: i + 1 };
  }
  return { specs: [...specs].sort(), ...(ruby ? { ruby } : {}) };
}
