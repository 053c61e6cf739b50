import { parseArgs as parseNodeArgs } from 'node:util';
import { SlipwayError } from '../core/errors.js';
import { GLOBAL_OPTIONS, type Command, type OptionSpec } from './command.js';
import { nearest } from './suggest.js';

export interface ParsedArgs {
  command: string;
  positionals: string[];
  flags: Map<string, string[]>;
  /** Words after `--`, untouched. */
  rest: string[];
  /** Long names of the options this command declares: reading any other one is a bug. */
  declared: Set<string>;
}

/** Splits `slipway WORDS…` into the command name and its words (`help` when there is none). */
export function commandName(argv: string[]): { name: string; words: string[] } {
  const at = argv.findIndex((w) => !w.startsWith('-') || w === '--');
  if (at === -1 || argv[at] === '--') return { name: 'help', words: argv };
  return { name: argv[at]!, words: [...argv.slice(0, at), ...argv.slice(at + 1)] };
}

/**
 * Parses a command's words against exactly the options it declares (node's util.parseArgs, strict):
 * an unknown option is an error that names the nearest known one.
 */
export function parseCommandArgs(
  command: Pick<Command, 'name' | 'options' | 'passthrough'>,
  words: string[],
): ParsedArgs {
  const cut = words.indexOf('--');
  const before = cut === -1 ? words : words.slice(0, cut);
  const rest = cut === -1 ? [] : words.slice(cut + 1);
  if (cut !== -1 && !command.passthrough) {
    throw new SlipwayError('INVALID_INPUT', `${command.name} takes no "--" arguments`, {
      hint: `see \`slipway help ${command.name}\``,
    });
  }
  const specs = [...command.options, ...GLOBAL_OPTIONS];
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple: true }> = {};
  for (const spec of specs)
    options[spec.name] = {
      type: spec.value ? 'string' : 'boolean',
      ...(spec.short ? { short: spec.short } : {}),
      multiple: true,
    };
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseNodeArgs({ args: before.map(negativeNumberGuard), options, strict: true, allowPositionals: true });
  } catch (err) {
    throw parseError(command, specs, err);
  }
  const flags = new Map<string, string[]>();
  for (const [name, value] of Object.entries(parsed.values)) {
    const list = (value as Array<string | boolean>).map((v) => (typeof v === 'boolean' ? 'true' : v));
    const spec = specs.find((s) => s.name === name)!;
    if (!spec.multiple && list.length > 1 && spec.value) {
      throw new SlipwayError('INVALID_INPUT', `--${name} is given ${list.length} times`, {
        hint: `give --${name} once (see \`slipway help ${command.name}\`)`,
      });
    }
    flags.set(name, list);
  }
  return {
    command: command.name,
    positionals: parsed.positionals.map(restoreNegativeNumber),
    flags,
    rest,
    declared: new Set(specs.map((s) => s.name)),
  };
}

// util.parseArgs reads `-1` as an option; a bare negative number is a value (e.g. `ps:scale web=-1`).
const NEGATIVE = '\u0000neg:';
const negativeNumberGuard = (word: string) => (/^-\d/.test(word) ? `${NEGATIVE}${word}` : word);
const restoreNegativeNumber = (word: string) => (word.startsWith(NEGATIVE) ? word.slice(NEGATIVE.length) : word);

function parseError(command: Pick<Command, 'name'>, specs: OptionSpec[], err: unknown): SlipwayError {
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  const help = `see \`slipway help ${command.name}\``;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /'([^']+)'/.exec(message)?.[1] ?? message;
    const name = given.replace(/^-+/, '').split('=')[0]!;
    const near = nearest(
      name,
      specs.flatMap((s) => [s.name, ...(s.short ? [s.short] : [])]),
    );
    const suggestion = near ? specs.find((s) => s.name === near || s.short === near) : undefined;
    return new SlipwayError('INVALID_INPUT', `unknown option ${given} for ${command.name}`, {
      hint: suggestion ? `did you mean --${suggestion.name}? (${help})` : help,
    });
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = /--([a-z-]+)/.exec(message)?.[1];
    const spec = specs.find((s) => s.name === name);
    if (spec?.value)
      return new SlipwayError('INVALID_INPUT', `--${spec.name} needs a value (${spec.value})`, { hint: help });
    if (spec) return new SlipwayError('INVALID_INPUT', `--${spec.name} takes no value`, { hint: help });
  }
  return new SlipwayError('INVALID_INPUT', message.replaceAll(NEGATIVE, ''), { hint: help });
}

function assertDeclared(args: ParsedArgs, name: string): void {
  if (!args.declared.has(name)) {
    throw new SlipwayError('INTERNAL', `${args.command} reads --${name} without declaring it`, {
      hint: 'this is a Slipway bug: declare the option in the command table',
    });
  }
}

/** The last value of a declared option (undefined when not given). */
export function flag(args: ParsedArgs, name: string): string | undefined {
  assertDeclared(args, name);
  return args.flags.get(name)?.at(-1);
}

/** Every value of a declared option, in order. */
export function values(args: ParsedArgs, name: string): string[] {
  assertDeclared(args, name);
  return args.flags.get(name) ?? [];
}

export function has(args: ParsedArgs, name: string): boolean {
  assertDeclared(args, name);
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
  if (!match) {
    throw new SlipwayError('INVALID_INPUT', `not a release: ${JSON.stringify(raw)}`, {
      hint: `name a release like ${example} (see \`slipway releases\`)`,
    });
  }
  return Number(match[1]);
}
