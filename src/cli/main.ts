import { parseArgs, has } from './args.js';
import { consoleOutput, type Output } from './reporter.js';
import { ApiClient } from './api-client.js';
import type { Command } from './command.js';
import { toSlipwayError } from '../core/errors.js';
import { appsCommands } from './commands/apps.js';
import { deployCommand } from './commands/deploy.js';
import { buildCommand } from './commands/build.js';
import { buildsCommands } from './commands/builds.js';
import { inspectCommand } from './commands/inspect.js';
import { releasesCommand } from './commands/releases.js';
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
  rollbackCommand,
  ...configCommands,
  ...psCommands,
  logsCommand,
  ...domainsCommands,
  ...certsCommands,
  runCommand,
];

function help(output: Output): void {
  output.out('usage: slipway COMMAND [options]   (-a/--app APP, --json on read commands)\n');
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  for (const c of COMMANDS) output.out(`  ${c.name.padEnd(width)}  ${c.summary}`);
  output.out(
    '\nenvironment: SLIPWAY_HOME (default ~/.slipway), SLIPWAY_HTTP_PORT (80), SLIPWAY_HTTPS_PORT (443), SLIPWAY_API_PORT (7331), SLIPWAY_DOMAIN (slipway.localhost)',
  );
}

/** Runs one CLI invocation; returns the exit code. */
export async function runCli(argv: string[], output: Output = consoleOutput): Promise<number> {
  let json = argv.includes('--json');
  try {
    const args = parseArgs(argv);
    json = has(args, 'json');
    if (args.command === 'help' || (has(args, 'help') && args.command === 'help')) {
      help(output);
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === args.command);
    if (!command) {
      const near = COMMANDS.filter((c) => c.name.startsWith(args.command.split(':')[0]!)).map((c) => c.name);
      output.err(`error: unknown command "${args.command}"`);
      output.err(`hint: ${near.length ? `did you mean ${near.join(', ')}?` : 'see `slipway help`'}`);
      return 2;
    }
    if (has(args, 'help')) {
      output.out(`usage: slipway ${command.usage}\n\n${command.summary}`);
      return 0;
    }
    let client: ApiClient | undefined;
    const code = await command.run({ args, output, json, api: () => (client ??= ApiClient.fromEnvironment()) });
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
    return 1;
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
