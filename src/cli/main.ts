import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandName, flag, parseCommandArgs } from './args.js';
import { commandHelp, overview } from './help.js';
import { completionScript } from './completion.js';
import { nearest, related } from './suggest.js';
import { consoleOutput, type Output } from './reporter.js';
import { ApiClient } from './api-client.js';
import type { Command } from './command.js';
import { SlipwayError, toSlipwayError } from '../core/errors.js';
import { appsCommands } from './commands/apps.js';
import { deployCommand } from './commands/deploy.js';
import { buildCommand } from './commands/build.js';
import { buildsCommands } from './commands/builds.js';
import { inspectCommand } from './commands/inspect.js';
import { releaseInfoCommand, releasesCommand } from './commands/releases.js';
import { maintenanceCommands } from './commands/maintenance.js';
import { configCommands } from './commands/config.js';
import { psCommands } from './commands/ps.js';
import { logsCommand } from './commands/logs.js';
import { setupCommand } from './commands/setup.js';
import { serverCommand } from './commands/server.js';
import { domainsCommands } from './commands/domains.js';
import { certsCommands } from './commands/certs.js';
import { sourceCommands } from './commands/analyze.js';
import { rollbackCommand } from './commands/rollback.js';
import { runCommand } from './commands/run.js';
import { cronCommands } from './commands/cron.js';
import { nodesCommands } from './commands/nodes.js';
import { registryCommands } from './commands/registries.js';
import { gitCommands } from './commands/git.js';
import { keyCommands } from './commands/keys.js';
import { userCommands } from './commands/users.js';
import { remoteCommands } from './commands/remotes.js';
import { hookCommands } from './commands/hooks.js';

export const COMMANDS: Command[] = [
  setupCommand,
  serverCommand,
  ...appsCommands,
  ...sourceCommands,
  deployCommand,
  buildCommand,
  ...buildsCommands,
  inspectCommand,
  releasesCommand,
  releaseInfoCommand,
  rollbackCommand,
  ...configCommands,
  ...psCommands,
  logsCommand,
  ...maintenanceCommands,
  ...domainsCommands,
  ...certsCommands,
  runCommand,
  ...cronCommands,
  ...nodesCommands,
  ...registryCommands,
  ...gitCommands,
  ...keyCommands,
  ...userCommands,
  ...remoteCommands,
  ...hookCommands,
];

/** Commands about the CLI itself. */
const SELF_COMMANDS: Command[] = [
  {
    name: 'help',
    group: 'server',
    summary: "list the commands, or show one command's usage, options and examples",
    args: '[COMMAND]',
    options: [],
    examples: ['slipway help', 'slipway help deploy'],
    async run(ctx) {
      const [name] = ctx.args.positionals;
      if (name === undefined) return void ctx.output.out(overview(ALL_COMMANDS, version()));
      ctx.output.out(commandHelp(findCommand(name)));
    },
  },
  {
    name: 'completion',
    group: 'server',
    summary: 'print a shell completion script (bash, zsh or fish)',
    args: 'bash|zsh|fish',
    options: [],
    examples: [
      'eval "$(slipway completion bash)"',
      'slipway completion fish > ~/.config/fish/completions/slipway.fish',
    ],
    async run(ctx) {
      const [shell] = ctx.args.positionals;
      if (!shell)
        throw new SlipwayError('INVALID_INPUT', 'which shell?', { hint: 'slipway completion bash | zsh | fish' });
      ctx.output.out(completionScript(shell, ALL_COMMANDS));
    },
  },
];

/** Hidden: values for completion scripts (app names); silent when no server answers. */
const COMPLETE_COMMAND: Command = {
  name: '__complete',
  group: 'server',
  summary: 'values for shell completion',
  options: [],
  async run(ctx) {
    if (ctx.args.positionals[0] !== 'apps') return;
    try {
      const { apps } = await ctx.api().json<{ apps: { name: string }[] }>('GET', '/v1/apps');
      for (const app of apps) ctx.output.out(app.name);
    } catch {
      // no server: nothing to offer
    }
  },
};

export const ALL_COMMANDS: Command[] = [...COMMANDS, ...SELF_COMMANDS];

function findCommand(name: string): Command {
  const command = name === COMPLETE_COMMAND.name ? COMPLETE_COMMAND : ALL_COMMANDS.find((c) => c.name === name);
  if (command) return command;
  const names = ALL_COMMANDS.map((c) => c.name);
  const near = nearest(name, names);
  const similar = related(name, names);
  const hint = near
    ? `did you mean \`slipway ${near}\`?`
    : similar.length
      ? `did you mean one of ${similar.join(', ')}?`
      : 'see `slipway help` for the commands';
  throw new SlipwayError('INVALID_INPUT', `unknown command ${JSON.stringify(name)}`, {
    hint,
    details: { exitCode: 2 },
  });
}

/** The package version (read once, only when asked). */
function version(): string {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Runs one CLI invocation; returns the exit code. */
export async function runCli(argv: string[], output: Output = consoleOutput): Promise<number> {
  const cut = argv.indexOf('--');
  let json = (cut === -1 ? argv : argv.slice(0, cut)).includes('--json');
  try {
    if (argv[0] === '--version' || argv[0] === '-V' || (argv[0] === 'version' && argv.length === 1)) {
      output.out(json ? JSON.stringify({ version: version() }) : `slipway ${version()}`);
      return 0;
    }
    const { name, words } = commandName(argv);
    const command = findCommand(name);
    const args = parseCommandArgs(command, words);
    json = args.flags.has('json');
    if (args.flags.has('help')) {
      output.out(commandHelp(command));
      return 0;
    }
    let client: ApiClient | undefined;
    const remote = flag(args, 'remote');
    const code = await command.run({ args, output, json, api: () => (client ??= ApiClient.select(remote)) });
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    const error = toSlipwayError(err);
    if (json) {
      output.out(JSON.stringify({ error: error.toJSON() }, null, 2));
    } else {
      output.err(`error: ${error.message}`);
      printDetails(output, error.details);
      if (error.hint) output.err(`hint: ${error.hint}`);
    }
    return error.details?.['exitCode'] === 2 ? 2 : 1;
  }
}

function printDetails(output: Output, details: Record<string, unknown> | undefined): void {
  if (!details) return;
  const probes = details['probes'] as { at: string; detail: string }[] | undefined;
  if (probes?.length) {
    output.err('last health checks:');
    for (const p of probes) output.err(`  ${p.at}  ${p.detail}`);
  }
  const logs = details['logs'] as string[] | undefined;
  if (logs?.length) {
    output.err('last log lines of the container:');
    for (const line of logs) output.err(`  | ${line}`);
  }
}
