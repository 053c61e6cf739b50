import { APP, JSON_OUTPUT, JSON_STREAM, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/config.js'));

export const configCommands: Command[] = [
  implemented({
    name: 'config',
    group: 'config',
    options: [
      APP,
      { name: 'shell', description: "print KEY='value' lines, safe to eval in a POSIX shell" },
      JSON_OUTPUT,
    ],
    examples: ['slipway config -a shop', 'eval "$(slipway config -a shop --shell)"'],
    summary: 'show config vars',
  }),
  implemented({
    name: 'config:get',
    group: 'config',
    args: 'KEY',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway config:get -a shop DATABASE_URL', 'slipway config:get -a shop DEBUG || echo "not set"'],
    summary: "print one config var's value (exit 1 when it is not set)",
  }),
  implemented({
    name: 'config:set',
    group: 'config',
    args: 'KEY=VALUE…',
    options: [APP, JSON_STREAM],
    examples: ['slipway config:set -a shop DATABASE_URL=postgres://db/shop'],
    summary: 'set config vars (makes a new release and rolls it out)',
  }),
  implemented({
    name: 'config:unset',
    group: 'config',
    args: 'KEY…',
    options: [APP, JSON_STREAM],
    examples: ['slipway config:unset -a shop DEBUG'],
    summary: 'remove config vars (makes a new release and rolls it out)',
  }),
];
