import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_COMMANDS, runCli } from './main.js';
import { parseCommandArgs } from './args.js';
import { commandHelp } from './help.js';
import { completionScript } from './completion.js';
import { SlipwayError } from '../core/errors.js';

const capture = async (...argv: string[]) => {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
};

test('every command documents itself: a summary, examples, and every option it parses in its help', () => {
  const names = new Set<string>();
  for (const command of ALL_COMMANDS) {
    assert.ok(!names.has(command.name), `${command.name} is defined once`);
    names.add(command.name);
    assert.ok(command.summary.length > 10, `${command.name} has a summary`);
    assert.ok(command.examples?.length, `${command.name} has examples`);
    const help = commandHelp(command);
    for (const option of command.options) {
      assert.ok(option.description, `${command.name} --${option.name} has a description`);
      assert.match(help, new RegExp(`--${option.name}\\b`), `${command.name} help lists --${option.name}`);
      if (option.short) assert.match(help, new RegExp(`-${option.short}, --${option.name}`));
    }
    for (const example of command.examples!)
      assert.ok(example.startsWith(`slipway ${command.name}`) || example.includes(`slipway ${command.name}`), example);
    // The parser takes exactly the declared options and refuses anything else with a hint.
    assert.doesNotThrow(() => parseCommandArgs(command, ['--help']));
    assert.throws(
      () => parseCommandArgs(command, ['--no-such-option']),
      (e: unknown) => e instanceof SlipwayError && e.code === 'INVALID_INPUT' && !!e.hint,
    );
  }
});

// The parser also refuses undeclared reads at run time.
test('every option the CLI code reads is declared by a command', () => {
  const declared = new Set(ALL_COMMANDS.flatMap((c) => c.options.map((o) => o.name)));
  for (const dir of ['commands', 'actions'].map((d) => join(import.meta.dirname, d))) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const match of text.matchAll(/\b(?:flag|has|values)\((?:ctx\.)?args, '([a-z-]+)'\)/g)) {
        assert.ok(declared.has(match[1]!), `${file} reads --${match[1]} that no command declares`);
      }
    }
  }
});

test('typos get the nearest command or option, and exit non-zero', async () => {
  const typo = await capture('delpoy', '-a', 'x');
  assert.equal(typo.code, 2);
  assert.match(typo.err, /unknown command "delpoy"/);
  assert.match(typo.err, /did you mean `slipway deploy`/);
  const flag = await capture('logs', '-a', 'x', '--fllow');
  assert.equal(flag.code, 1);
  assert.match(flag.err, /unknown option --fllow for logs/);
  assert.match(flag.err, /did you mean --follow/);
  const nonsense = await capture('help', 'nonsense');
  assert.notEqual(nonsense.code, 0);
  assert.match(nonsense.err, /unknown command "nonsense"/);
  const group = await capture('apps:nope');
  assert.match(group.err, /apps:create/);
});

test('help, --help and --version', async () => {
  const overview = await capture('help');
  assert.equal(overview.code, 0);
  for (const command of ALL_COMMANDS)
    assert.match(overview.out, new RegExp(`^  ${command.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `, 'm'));
  const deploy = await capture('deploy', '--help');
  assert.equal(deploy.code, 0);
  assert.match(deploy.out, /^usage: slipway deploy -a APP \[DIR\] \[options\]/);
  assert.match(deploy.out, /--strategy rolling\|blue-green +how web containers are replaced/);
  assert.equal((await capture('help', 'deploy')).out, deploy.out);
  const version = await capture('--version');
  assert.equal(version.code, 0);
  assert.match(version.out, /^slipway \d+\.\d+\.\d+/);
});

test('the bash completion script loads in bash and completes commands, options and option values', () => {
  const script = completionScript('bash', ALL_COMMANDS);
  const complete = (line: string) =>
    execFileSync(
      'bash',
      [
        '-c',
        `${script}\nCOMP_LINE="$1"; COMP_POINT=\${#COMP_LINE}; _slipway; printf '%s\\n' "\${COMPREPLY[@]}"`,
        '_',
        line,
      ],
      { encoding: 'utf8' },
    )
      .split('\n')
      .filter(Boolean);
  assert.deepEqual(complete('slipway dep'), ['deploy']);
  assert.ok(complete('slipway apps:').includes('create'), 'after a colon, the rest of the name');
  assert.ok(complete('slipway logs --f').includes('--follow'));
  assert.deepEqual(complete('slipway deploy --strategy '), ['rolling', 'blue-green']);
  assert.equal(
    execFileSync('bash', ['-c', `${script}\ncomplete -p slipway`], { encoding: 'utf8' }).trim(),
    'complete -o default -F _slipway slipway',
  );
  assert.match(completionScript('fish', ALL_COMMANDS), /complete -c slipway -n __fish_use_subcommand -a 'deploy'/);
  assert.match(completionScript('zsh', ALL_COMMANDS), /bashcompinit/);
  assert.throws(() => completionScript('tcsh', ALL_COMMANDS), { code: 'INVALID_INPUT' });
});
