import { SlipwayError } from '../core/errors.js';

export interface ParsedArgs {
  command: string;
  positionals: string[];
  flags: Map<string, string[]>;
  /** Words after `--`, untouched. */
  rest: string[];
}

/** Flags that take a value, by every spelling → canonical name. */
const VALUE_FLAGS: Record<string, string> = {
  '-a': 'app',
  '--app': 'app',
  '--image': 'image',
  '--dockerfile': 'dockerfile',
  '--build-arg': 'build-arg',
  '--confirm': 'confirm',
  '--ps': 'ps',
  '--tail': 'tail',
  '--release': 'release',
  '--strategy': 'strategy',
  '-n': 'tail',
  '--path': 'path',
  '--runtime': 'runtime',
  '--base-image': 'base-image',
  '--ca-cert': 'ca-cert',
  '--secret': 'secret',
  '--env': 'env',
  '--tag': 'tag',
  '--build': 'build',
  '--file': 'file',
  '-F': 'file',
};

const BOOLEAN_FLAGS: Record<string, string> = {
  '--json': 'json',
  '-f': 'follow',
  '--follow': 'follow',
  '--check': 'check',
  '-h': 'help',
  '--help': 'help',
  '--yes': 'yes',
  '--no-docker': 'no-docker',
  '-i': 'interactive',
  '--interactive': 'interactive',
  '--force': 'force',
};

export function parseArgs(argv: string[]): ParsedArgs {
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  const add = (name: string, value: string) => flags.set(name, [...(flags.get(name) ?? []), value]);
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') return finish(positionals, flags, argv.slice(i + 1));
    const [name, inline] =
      word.startsWith('--') && word.includes('=')
        ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]
        : [word, undefined];
    if (name in VALUE_FLAGS) {
      const value = inline ?? argv[++i];
      if (value === undefined)
        throw new SlipwayError('INVALID_INPUT', `${name} needs a value`, { hint: `e.g. ${name} VALUE` });
      add(VALUE_FLAGS[name]!, value);
    } else if (name in BOOLEAN_FLAGS) {
      add(BOOLEAN_FLAGS[name]!, 'true');
    } else if (word.startsWith('-') && word.length > 1 && !/^-\d/.test(word)) {
      throw new SlipwayError('INVALID_INPUT', `unknown option ${name}`, { hint: 'see `slipway help`' });
    } else {
      positionals.push(word);
    }
  }
  return finish(positionals, flags, []);
}

function finish(positionals: string[], flags: Map<string, string[]>, rest: string[]): ParsedArgs {
  const [command = 'help', ...others] = positionals;
  return { command, positionals: others, flags, rest };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name)?.at(-1);
}

export function has(args: ParsedArgs, name: string): boolean {
  return args.flags.has(name);
}

export function requireApp(args: ParsedArgs): string {
  const app = flag(args, 'app') ?? process.env['SLIPWAY_APP'];
  if (!app) throw new SlipwayError('INVALID_INPUT', 'which app?', { hint: 'name it with -a APP (or set SLIPWAY_APP)' });
  return app;
}

/** `v3` or `3` → 3; anything else is refused with a hint. */
export function parseReleaseVersion(raw: string, example = 'v3'): number {
  const match = /^v?(\d+)$/.exec(raw);
  if (!match)
    throw new SlipwayError('INVALID_INPUT', `not a release: ${JSON.stringify(raw)}`, {
      hint: `name a release like ${example} (see \`slipway releases\`)`,
    });
  return Number(match[1]);
}
