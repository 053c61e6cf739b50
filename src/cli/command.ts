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

export interface Command {
  name: string;
  usage: string;
  summary: string;
  run(ctx: CommandContext): Promise<number | void>;
}
