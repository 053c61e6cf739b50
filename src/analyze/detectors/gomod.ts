import { invalidManifest } from '../text.js';

export interface GoRequire {
  path: string;
  version: string;
  line: number;
  indirect: boolean;
}

export interface GoMod {
  module: string;
  go?: { value: string; line: number };
  toolchain?: { value: string; line: number };
  requires: GoRequire[];
}

const DIRECTIVES = new Set([
  'module',
  'go',
  'toolchain',
  'require',
  'replace',
  'exclude',
  'retract',
  'godebug',
  'tool',
  'ignore',
]);

/** Parses go.mod directives (single-line and parenthesized blocks); unknown directives are errors with the line. */
export function parseGoMod(text: string, file = 'go.mod'): GoMod {
  const mod: GoMod = { module: '', requires: [] };
  let block: string | undefined;
  let blockLine = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i] ?? '';
    const indirect = /\/\/\s*indirect\b/.test(raw);
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (line === '') continue;
    if (block) {
      if (line === ')') {
        block = undefined;
        continue;
      }
      if (block === 'require') addRequire(mod, line, lineNo, indirect, file);
      continue;
    }
    const [directive, ...args] = line.split(/\s+/);
    if (!directive || !DIRECTIVES.has(directive))
      throw invalidManifest(file, `unknown directive ${JSON.stringify(directive)}`, {
        line: lineNo,
        hint: 'run "go mod tidy" to rewrite go.mod',
      });
    if (args[0] === '(') {
      block = directive;
      blockLine = lineNo;
      continue;
    }
    const value = args.join(' ');
    if (directive === 'module') mod.module = value.replace(/^"|"$/g, '');
    else if (directive === 'go') mod.go = { value, line: lineNo };
    else if (directive === 'toolchain') mod.toolchain = { value: value.replace(/^go/, ''), line: lineNo };
    else if (directive === 'require') addRequire(mod, value, lineNo, indirect, file);
  }
  if (block) throw invalidManifest(file, `"${block} (" block is never closed`, { line: blockLine });
  if (!mod.module)
    throw invalidManifest(file, 'no module directive', { hint: 'go.mod starts with "module example.com/app"' });
  return mod;
}

function addRequire(mod: GoMod, text: string, line: number, indirect: boolean, file: string): void {
  const [path, version, ...extra] = text.split(/\s+/);
  if (!path || !version || extra.length > 0)
    throw invalidManifest(file, `cannot read requirement ${JSON.stringify(text)}`, {
      line,
      hint: 'requirements are "module/path v1.2.3"',
    });
  mod.requires.push({ path, version, line, indirect });
}
