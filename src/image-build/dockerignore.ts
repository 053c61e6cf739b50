/**
 * `.dockerignore` matching as the Docker CLI does it (moby/patternmatcher): `*`, `?`, `[…]`, `**`,
 * `!` exceptions, the last matching rule wins, and a rule that matches a directory matches
 * everything under it. The daemon does not apply .dockerignore to an uploaded context; the client
 * must, so Slipway does when it assembles a context itself. Pure.
 */
export interface IgnoreRule {
  text: string;
  negate: boolean;
  regex: RegExp;
}

export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    const cleaned = clean(line);
    if (cleaned === '') continue;
    rules.push({ text: cleaned, negate, regex: compile(cleaned) });
  }
  return rules;
}

/** True when `path` (relative, `/`-separated) is left out of the build context. */
export function isIgnored(path: string, rules: IgnoreRule[]): boolean {
  const parts = path.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (rule.negate !== ignored) continue;
    // A rule about a directory covers everything under it (MatchesOrParentMatches).
    if (candidates.some((c) => rule.regex.test(c))) ignored = !rule.negate;
  }
  return ignored;
}

/** True when no `!` exception could bring back anything under an ignored directory. */
export function hasExceptions(rules: IgnoreRule[]): boolean {
  return rules.some((r) => r.negate);
}

function clean(pattern: string): string {
  const segments: string[] = [];
  for (const part of pattern.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') segments.pop();
    else segments.push(part);
  }
  return segments.join('/');
}

function compile(pattern: string): RegExp {
  let out = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          out += '(.*/)?';
        } else out += '.*';
      } else out += '[^/]*';
    } else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) out += '\\[';
      else {
        out += `[${pattern.slice(i + 1, end)}]`;
        i = end;
      }
    } else if (ch === '\\' && i + 1 < pattern.length) {
      out += escape(pattern[++i]!);
    } else out += escape(ch);
  }
  return new RegExp(`${out}$`);
}

function escape(ch: string): string {
  return /[.+^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}
