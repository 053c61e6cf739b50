import { APP, JSON_OUTPUT, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/run.js'));

export const runCommand: Command = implemented({
  name: 'run',
  group: 'processes',
  passthrough: true,
  args: '-- COMMAND [ARGS…]',
  options: [
    APP,
    { name: 'release', value: 'vN', description: 'run in this release instead of the current one' },
    { name: 'interactive', short: 'i', description: 'attach stdin (and a TTY when you have one)' },
    {
      name: 'detach',
      short: 'd',
      description: 'start it and return: it keeps running, its output goes to `slipway logs`; prints its name',
    },
    JSON_OUTPUT,
  ],
  examples: [
    'slipway run -a shop -- rake db:migrate',
    'slipway run -i -a shop -- bash',
    'slipway run --detach -a shop -- node scripts/backfill.js',
  ],
  details:
    'A detached one-off (`--detach`) is named like run.ab12cd: `slipway ps` lists it while it runs, ' +
    '`slipway logs --ps run` shows its output (also after it ended: its logs are kept and its container ' +
    'removed), `slipway ps:stop -a APP run.ab12cd` stops it.',
  summary:
    'run a one-off command in a new container of the current release (same image, same config); its exit code is yours',
});
