import { readFileSync, statSync } from 'node:fs';
import { SlipwayError } from '../../core/errors.js';
import { MAX_MAINTENANCE_PAGE_BYTES } from '../../router/maintenance.js';
import type { MaintenanceView } from '../../apps/maintenance-service.js';
import { flag, has, requireApp } from '../args.js';
import { age } from '../reporter.js';
import type { CommandContext, CommandRuns } from '../command.js';

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

export const runs = {
  async maintenance(ctx) {
    const { maintenance } = await ctx
      .api()
      .json<{ maintenance: MaintenanceView }>('GET', maintenancePath(requireApp(ctx.args)));
    print(ctx, maintenance);
  },
  async 'maintenance:on'(ctx) {
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
  async 'maintenance:off'(ctx) {
    const { maintenance } = await ctx
      .api()
      .json<{ maintenance: MaintenanceView }>('DELETE', maintenancePath(requireApp(ctx.args)));
    print(ctx, maintenance);
  },
} satisfies CommandRuns;
