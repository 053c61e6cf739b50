import { SlipwayError } from '../core/errors.js';
import { GLOBAL_OPTIONS, type Command, type OptionSpec } from './command.js';

/**
 * Shell completion scripts, generated from the command table: commands, each command's options,
 * the values an option takes (`--strategy rolling|blue-green`), and app names (`-a <TAB>`) asked from
 * the server through the hidden `slipway __complete apps`.
 */
export type Shell = 'bash' | 'zsh' | 'fish';

export function completionScript(shell: string, commands: Command[]): string {
  if (shell === 'bash') return bashScript(commands);
  if (shell === 'zsh') {
    const header = '# slipway completion for zsh: eval "$(slipway completion zsh)" in ~/.zshrc\n';
    return `${header}autoload -U +X bashcompinit && bashcompinit\n${bashScript(commands)}`;
  }
  if (shell === 'fish') return fishScript(commands);
  throw new SlipwayError('INVALID_INPUT', `no completion for the shell ${JSON.stringify(shell)}`, {
    hint: 'slipway completion bash | zsh | fish',
  });
}

const optionsOf = (c: Command): OptionSpec[] => [...c.options, ...GLOBAL_OPTIONS];
const flagNames = (o: OptionSpec): string[] => [`--${o.name}`, ...(o.short ? [`-${o.short}`] : [])];
const words = (list: string[]) => list.join(' ');
const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

function bashScript(commands: Command[]): string {
  const optionCases = commands.map((c) => `    ${c.name}) echo ${quote(words(optionsOf(c).flatMap(flagNames)))} ;;`);
  const valueCases: string[] = [];
  for (const c of commands) {
    for (const o of optionsOf(c).filter((x) => x.value)) {
      const names = [`--${o.name}`, ...(o.short ? [`-${o.short}`] : [])].map((n) => `"${c.name} ${n}"`).join('|');
      const values =
        o.choices === '@apps' ? '"$(slipway __complete apps 2>/dev/null)"' : o.choices ? quote(words(o.choices)) : '""';
      valueCases.push(`    ${names}) echo ${values}; return 0 ;;`);
    }
  }
  return `# slipway completion for bash: eval "$(slipway completion bash)" in ~/.bashrc
__slipway_commands=${quote(words(commands.map((c) => c.name)))}
__slipway_options() {
  case "$1" in
${optionCases.join('\n')}
  esac
}
__slipway_values() {
  case "$1 $2" in
${valueCases.join('\n')}
  esac
  return 1
}
_slipway() {
  local line="\${COMP_LINE:0:COMP_POINT}" cur="" cmd="" w candidates
  local -a parts
  read -ra parts <<< "$line"
  if [[ "$line" != *[[:space:]] ]]; then cur="\${parts[\${#parts[@]}-1]}"; unset 'parts[\${#parts[@]}-1]'; fi
  for w in "\${parts[@]:1}"; do case "$w" in -*) ;; *) cmd="$w"; break ;; esac; done
  if [[ -z "$cmd" ]]; then
    candidates="$__slipway_commands"
  elif candidates="$(__slipway_values "$cmd" "\${parts[\${#parts[@]}-1]}")"; then
    [[ -z "$candidates" ]] && { COMPREPLY=(); return 0; }
  elif [[ "$cur" == -* ]]; then
    candidates="$(__slipway_options "$cmd")"
  else
    COMPREPLY=(); return 0
  fi
  COMPREPLY=( $(compgen -W "$candidates" -- "$cur") )
  if [[ "$cur" == *:* ]]; then local pre="\${cur%"\${cur##*:}"}"; COMPREPLY=( "\${COMPREPLY[@]#"$pre"}" ); fi
  return 0
}
complete -o default -F _slipway slipway
`;
}

function fishScript(commands: Command[]): string {
  const lines = [
    '# slipway completion for fish: slipway completion fish > ~/.config/fish/completions/slipway.fish',
    'complete -c slipway -f',
  ];
  for (const c of commands)
    lines.push(`complete -c slipway -n __fish_use_subcommand -a ${quote(c.name)} -d ${quote(c.summary)}`);
  for (const c of commands) {
    for (const o of optionsOf(c)) {
      const parts = [`complete -c slipway -n ${quote(`__fish_seen_subcommand_from ${c.name}`)}`, `-l ${o.name}`];
      if (o.short) parts.push(`-s ${o.short}`);
      if (o.value) parts.push(o.choices ? '-x' : '-r -F');
      if (o.choices === '@apps') parts.push(`-a ${quote('(slipway __complete apps 2>/dev/null)')}`);
      else if (o.choices) parts.push(`-a ${quote(words(o.choices))}`);
      parts.push(`-d ${quote(o.description)}`);
      lines.push(parts.join(' '));
    }
  }
  return `${lines.join('\n')}\n`;
}
