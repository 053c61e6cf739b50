import { APP, JSON_OUTPUT, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/cron.js'));

export const cronCommands: Command[] = [
  implemented({
    name: 'cron',
    group: 'processes',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway cron -a shop'],
    summary: "list the app's scheduled jobs: schedule (UTC), command, next run, last run and its exit code",
  }),
  implemented({
    name: 'cron:add',
    group: 'processes',
    passthrough: true,
    args: '"MIN HOUR DAY MONTH WEEKDAY" -- COMMAND [ARGS…]',
    options: [APP, JSON_OUTPUT],
    examples: [
      'slipway cron:add -a shop "0 3 * * *" -- rake db:cleanup',
      'slipway cron:add -a shop "*/15 9-17 * * mon-fri" -- node jobs/sync.js',
      'slipway cron:add -a shop @daily -- sh -c "node jobs/report.js | tee /tmp/report"',
    ],
    summary: 'schedule a one-off command (five-field cron syntax, UTC) in the current release',
    details:
      'Each run is a one-off container of the release current at that time, with its config and the `run` ' +
      "type's limits, like `slipway run` (the command is run as given, no shell: use sh -c for one). One run " +
      'of a job at a time: when the next is due while one still runs, it is skipped and recorded. Times are ' +
      'UTC. Runs due while the server was down are recorded as missed, not run late in a burst. ' +
      '`slipway cron:runs` shows each run with its exit code and last output lines; `slipway logs --ps run` ' +
      'has its whole output.',
  }),
  implemented({
    name: 'cron:remove',
    group: 'processes',
    args: 'ID',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway cron:remove -a shop 3'],
    summary: 'remove a scheduled job (a run still going finishes; its history goes with the job)',
  }),
  implemented({
    name: 'cron:runs',
    group: 'processes',
    args: 'ID',
    options: [
      APP,
      { name: 'num', short: 'n', value: 'N', description: 'how many runs, newest first', default: '20' },
      { name: 'output', description: "print each run's kept output lines (the last 100) after the table" },
      JSON_OUTPUT,
    ],
    examples: ['slipway cron:runs -a shop 3', 'slipway cron:runs -a shop 3 -n 1 --output'],
    summary: "a job's run history: due time, start, end, exit code, output lines kept",
  }),
];
