import { GLOBAL_OPTIONS, GROUP_TITLES, type Command, type CommandGroup, type OptionSpec } from './command.js';

/** `-a, --app APP` / `    --follow` */
export function optionSignature(spec: OptionSpec): string {
  const long = `--${spec.name}${spec.value ? ` ${spec.value}` : ''}`;
  return spec.short ? `-${spec.short}, ${long}` : `    ${long}`;
}

function describe(spec: OptionSpec): string {
  const extras = [
    spec.multiple ? 'repeatable' : '',
    spec.default !== undefined ? `default: ${spec.default}` : '',
  ].filter(Boolean);
  return extras.length ? `${spec.description} (${extras.join('; ')})` : spec.description;
}

export function usageLine(command: Command): string {
  const app = command.options.some((o) => o.name === 'app') ? ' -a APP' : '';
  const rest = command.args ? ` ${command.args}` : '';
  const more = command.options.some((o) => o.name !== 'app') ? ' [options]' : '';
  return `slipway ${command.name}${app}${rest}${more}`;
}

/** `slipway help CMD` / `CMD --help`: usage, summary, every option with its description and default, examples. */
export function commandHelp(command: Command): string {
  const options = [...command.options, ...GLOBAL_OPTIONS];
  const width = Math.max(...options.map((o) => optionSignature(o).length));
  const lines = [`usage: ${usageLine(command)}`, '', command.summary];
  if (command.details) lines.push('', command.details);
  lines.push('', 'options:', ...options.map((o) => `  ${optionSignature(o).padEnd(width)}  ${describe(o)}`));
  if (command.examples?.length) lines.push('', 'examples:', ...command.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/** `slipway help`: every command by group. */
export function overview(commands: Command[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = [
    `slipway ${version} — a self-hosted platform-as-a-service on Docker and HAProxy`,
    '',
    'usage: slipway COMMAND [options]   (slipway help COMMAND for its options and examples)',
  ];
  for (const group of Object.keys(GROUP_TITLES) as CommandGroup[]) {
    const inGroup = commands.filter((c) => c.group === group);
    if (inGroup.length === 0) continue;
    lines.push('', `${GROUP_TITLES[group]}:`, ...inGroup.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`));
  }
  lines.push(
    '',
    'Every read command takes --json; long operations print each stage with its timing ' +
      '(--json: the result and every event).',
    'environment: SLIPWAY_HOME (default ~/.slipway), SLIPWAY_APP, SLIPWAY_HTTP_PORT (80), SLIPWAY_HTTPS_PORT (443),',
    '             SLIPWAY_API_PORT (7331), SLIPWAY_DOMAIN (slipway.localhost)',
    'shell completion: slipway completion bash|zsh|fish',
  );
  return lines.join('\n');
}
