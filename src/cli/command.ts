import type { ParsedArgs } from './args.js';
import type { Output } from './reporter.js';
import type { ApiClient } from './api-client.js';

export interface CommandContext {
  args: ParsedArgs;
  output: Output;
  /** Created lazily: local commands (setup, server) never need a server. */
  api: () => ApiClient;
  json: boolean;
}

/** One option a command accepts: what the parser takes, what help and completion show. */
export interface OptionSpec {
  /** Long name without dashes (`app` → `--app`). */
  name: string;
  /** One-letter alias (`a` → `-a`). */
  short?: string;
  /** The value's placeholder (`APP`); absent for a switch (`--follow`). */
  value?: string;
  /** May be given more than once (`--build-arg K=V --build-arg K2=V2`). */
  multiple?: boolean;
  description: string;
  /** What it is when not given, as help shows it. */
  default?: string;
  /** Values completion offers (e.g. `rolling`, `blue-green`); `@apps` = the server's app names. */
  choices?: string[] | '@apps';
}

/**
 * A command as data: the parser accepts exactly its options, help and shell completion are made
 * from the same table, so help always lists every option a command reads.
 */
export interface CommandSpec {
  name: string;
  /** One line for `slipway help`. */
  summary: string;
  /** Positional arguments as help shows them, e.g. `[DIR]`, `KEY=VALUE…`, `-- COMMAND [ARGS…]`. */
  args?: string;
  options: OptionSpec[];
  examples?: string[];
  /** Longer explanation shown by `help CMD` after the summary. */
  details?: string;
  /** Accepts `-- WORDS…` (kept untouched in `args.rest`). */
  passthrough?: boolean;
  /** Section of `slipway help`. */
  group: CommandGroup;
}

export type CommandRun = (ctx: CommandContext) => Promise<number | void>;

export interface Command extends CommandSpec {
  run: CommandRun;
}

/** What a module of src/cli/actions/ exports: the implementation of each of its commands, by name. */
export type CommandRuns = Record<string, CommandRun>;

/**
 * Joins a command's table entry (commands/<verb>.ts: names, options, help, all light data) to its
 * implementation (actions/<verb>.ts), loaded only when the command runs: `slipway apps` loads
 * neither the server nor the source analysis nor the other commands' dependencies.
 */
export function implementedIn<M extends { runs: CommandRuns }>(
  load: () => Promise<M>,
): (spec: CommandSpec & { name: keyof M['runs'] & string }) => Command {
  return (spec) => ({ ...spec, run: async (ctx) => (await load()).runs[spec.name]!(ctx) });
}

export type CommandGroup = 'apps' | 'deploy' | 'processes' | 'config' | 'source' | 'routing' | 'server';

export const GROUP_TITLES: Record<CommandGroup, string> = {
  apps: 'Apps',
  deploy: 'Deploys, releases and builds',
  processes: 'Processes, logs and one-off runs',
  config: 'Config and settings',
  source: 'Source analysis',
  routing: 'Domains and TLS',
  server: 'Server and host',
};

/** Options most commands share. */
export const APP: OptionSpec = {
  name: 'app',
  short: 'a',
  value: 'APP',
  description: 'the app (or set SLIPWAY_APP)',
  choices: '@apps',
};
export const JSON_OUTPUT: OptionSpec = { name: 'json', description: 'print JSON for scripts instead of text' };
export const JSON_STREAM: OptionSpec = {
  name: 'json',
  description: 'print the result and every progress event as JSON',
};

/** Every command also takes these (added by the parser, listed by help). */
export const GLOBAL_OPTIONS: OptionSpec[] = [
  { name: 'help', short: 'h', description: 'show this help' },
  {
    name: 'remote',
    value: 'NAME',
    description: 'run against this remote (`slipway remotes`; `local` = this machine) instead of the current one',
    default: 'SLIPWAY_REMOTE, else the one `remotes:use` chose, else local',
  },
];
