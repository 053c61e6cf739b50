import { readFileSync, statSync } from 'node:fs';
import { SlipwayError } from '../../core/errors.js';
import { MAX_MAINTENANCE_PAGE_BYTES } from '../../router/maintenance.js';
import type { MaintenanceView } from '../../apps/maintenance-service.js';
import { flag, has, requireApp } from '../args.js';
import { age } from '../reporter.js';
import { APP, JSON_OUTPUT, type Command, type CommandContext } from '../command.js';

const maintenancePath = (app: string) => `/v1/apps/${encodeURIComponent(app)}/maintenance`;

function print(ctx: CommandContext, view: MaintenanceView): void {
  if (ctx.json) return ctx.output.out(JSON.stringify(view, null, 2));
  const since = view.changedAt ? ` (since ${view.changedAt}, ${age(view.changedAt)} ago, by ${view.changedBy})` : '';
  ctx.output.out(
    view.enabled
      ? `${view.app} is in maintenance${since}: every request gets a 503 with Retry-After: ${view.retryAfterSec} ` +
          `and ${view.page === 'app' ? "the app's own page" : "Slipway's page"}`
      : `${view.app} is not in maintenance${since}`,
  );
  if (view.problem) ctx.output.err(`warning: ${view.problem}`);
}

/** The page file, read on this side and checked before it is sent (HAProxy serves at most 12 KiB). */
function readPage(file: string): string {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (cause) {
    throw new SlipwayError('INVALID_INPUT', `cannot read the page ${file}`, { hint: 'give an HTML file', cause });
  }
  if (size > MAX_MAINTENANCE_PAGE_BYTES)
    throw new SlipwayError('INVALID_INPUT', `${file} is ${size} bytes; HAProxy serves pages up to 12 KiB`, {
      hint: 'keep the page small: inline CSS, link images from elsewhere',
    });
  const bytes = readFileSync(file);
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes))
    throw new SlipwayError('INVALID_INPUT', `${file} is not UTF-8 text`, { hint: 'save the page as UTF-8 HTML' });
  return text;
}

export const maintenanceCommands: Command[] = [
  {
    name: 'maintenance',
    group: 'apps',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway maintenance -a shop'],
    summary: 'show whether the app is in maintenance mode',
    async run(ctx) {
      const { maintenance } = await ctx
        .api()
        .json<{ maintenance: MaintenanceView }>('GET', maintenancePath(requireApp(ctx.args)));
      print(ctx, maintenance);
    },
  },
  {
    name: 'maintenance:on',
    group: 'apps',
    options: [
      APP,
      { name: 'page', value: 'FILE', description: "the app's own maintenance page (HTML, at most 12 KiB); kept" },
      { name: 'default-page', description: "go back to Slipway's page (forget the app's page)" },
      {
        name: 'retry-after',
        value: 'DURATION',
        description: 'the Retry-After the 503 carries (e.g. 90s, 5m; bare = seconds)',
        default: '60s, or the last one given',
      },
      JSON_OUTPUT,
    ],
    examples: [
      'slipway maintenance:on -a shop',
      'slipway maintenance:on -a shop --page maintenance.html --retry-after 10m',
    ],
    summary: 'answer every request with a 503 page (Retry-After); the containers keep running',
    details:
      'The router (HAProxy) answers itself, without a reload: the containers stay in the backend, checked ' +
      'and ready, and deploys, `run` and `logs` keep working. The state is stored, so a restarted ' +
      'HAProxy keeps it. A new page is loaded with a seamless reload.',
    async run(ctx) {
      const file = flag(ctx.args, 'page');
      if (file !== undefined && has(ctx.args, 'default-page'))
        throw new SlipwayError('INVALID_INPUT', '--page and --default-page contradict each other', {
          hint: 'give one of them',
        });
      const retryAfter = flag(ctx.args, 'retry-after');
      const body = {
        ...(file !== undefined ? { page: readPage(file) } : {}),
        ...(has(ctx.args, 'default-page') ? { page: null } : {}),
        ...(retryAfter !== undefined ? { retryAfter } : {}),
      };
      const { maintenance } = await ctx
        .api()
        .json<{ maintenance: MaintenanceView }>('PUT', maintenancePath(requireApp(ctx.args)), body);
      print(ctx, maintenance);
    },
  },
  {
    name: 'maintenance:off',
    group: 'apps',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway maintenance:off -a shop'],
    summary: 'serve the app again (no reload; nothing restarts)',
    async run(ctx) {
      const { maintenance } = await ctx
        .api()
        .json<{ maintenance: MaintenanceView }>('DELETE', maintenancePath(requireApp(ctx.args)));
      print(ctx, maintenance);
    },
  },
];
