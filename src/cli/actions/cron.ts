import { SlipwayError } from '../../core/errors.js';
import { flag, has, requireApp } from '../args.js';
import { table, age } from '../reporter.js';
import type { CommandContext, CommandRuns } from '../command.js';
import { commandOf } from './run.js';
import type { CronJobView } from '../../jobs/cron-service.js';
import type { CronJob, CronRun } from '../../jobs/cron-types.js';

const cronPath = (app: string) => `/v1/apps/${encodeURIComponent(app)}/cron`;

/** `2026-03-02 03:00:00` (UTC) from an ISO time. */
function utc(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '') : '-';
}

/** `in 5h2m` / `3m10s ago`. */
function relative(iso: string): string {
  const ms = Date.parse(iso) - Date.now();
  return ms >= 0 ? `in ${age(new Date(Date.now() - ms).toISOString())}` : `${age(iso)} ago`;
}

function lastRunText(job: CronJobView): string {
  const last = job.lastRun;
  if (!last) return 'never';
  const how =
    last.status === 'running' ? 'running' : last.exitCode === undefined ? last.status : `exit ${last.exitCode}`;
  return `${utc(last.startedAt)} (${how})`;
}

function oneId(ctx: CommandContext, usage: string): number {
  const [raw, ...extra] = ctx.args.positionals;
  if (!raw || extra.length > 0 || !/^\d{1,9}$/.test(raw))
    throw new SlipwayError('INVALID_INPUT', raw ? `not a job id: ${JSON.stringify(raw.slice(0, 40))}` : 'which job?', {
      hint: `${usage} (ids are in \`slipway cron -a APP\`)`,
    });
  return Number(raw);
}

function durationOf(run: CronRun): string | undefined {
  if (!run.startedAt || !run.finishedAt) return undefined;
  return `${((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)}s`;
}

export const runs = {
  async cron(ctx) {
    const app = requireApp(ctx.args);
    const { jobs } = await ctx.api().json<{ jobs: CronJobView[] }>('GET', cronPath(app));
    if (ctx.json) return ctx.output.out(JSON.stringify({ jobs, timezone: 'UTC' }, null, 2));
    if (jobs.length === 0) return ctx.output.out(`no scheduled jobs (add one: slipway cron:add -a ${app} ...)`);
    ctx.output.out('times in UTC');
    ctx.output.out(
      table(
        jobs.map((j) => ({
          ...j,
          command: j.command.join(' '),
          next: `${utc(j.nextRunAt)} (${relative(j.nextRunAt)})`,
          last: lastRunText(j),
        })),
        [
          { key: 'id', title: 'id' },
          { key: 'schedule', title: 'schedule' },
          { key: 'command', title: 'command' },
          { key: 'next', title: 'next run' },
          { key: 'last', title: 'last run' },
        ],
      ),
    );
  },
  async 'cron:add'(ctx) {
    const app = requireApp(ctx.args);
    const words = ctx.args.positionals;
    if (words.length !== 1 && words.length !== 5)
      throw new SlipwayError('INVALID_INPUT', 'give the schedule as one quoted argument', {
        hint: `slipway cron:add -a ${app} "0 3 * * *" -- COMMAND (quotes keep the shell from expanding *)`,
      });
    const schedule = words.join(' ');
    const usage = `slipway cron:add -a ${app} "0 3 * * *" -- COMMAND [ARGS…]`;
    if (ctx.args.rest.length === 0)
      throw new SlipwayError('INVALID_INPUT', 'no command to run', { hint: `put it after --: ${usage}` });
    const command = commandOf(ctx, usage);
    const { job } = await ctx.api().json<{ job: CronJob }>('POST', cronPath(app), { schedule, command });
    if (ctx.json) return ctx.output.out(JSON.stringify({ job, timezone: 'UTC' }, null, 2));
    ctx.output.out(
      `added job ${job.id}: "${job.schedule}" (UTC) runs ${job.command.join(' ')}; ` +
        `next run ${utc(job.nextRunAt)} UTC (${relative(job.nextRunAt)})`,
    );
  },
  async 'cron:remove'(ctx) {
    const app = requireApp(ctx.args);
    const id = oneId(ctx, `slipway cron:remove -a ${app} ID`);
    const { job } = await ctx.api().json<{ job: CronJob }>('DELETE', `${cronPath(app)}/${id}`);
    if (ctx.json) return ctx.output.out(JSON.stringify({ job }, null, 2));
    ctx.output.out(`removed job ${job.id} ("${job.schedule}": ${job.command.join(' ')})`);
  },
  async 'cron:runs'(ctx) {
    const app = requireApp(ctx.args);
    const id = oneId(ctx, `slipway cron:runs -a ${app} ID`);
    const n = flag(ctx.args, 'num') ?? '20';
    if (!/^\d{1,4}$/.test(n) || Number(n) < 1 || Number(n) > 1000)
      throw new SlipwayError('INVALID_INPUT', `-n must be a whole number from 1 to 1000 (got ${JSON.stringify(n)})`, {
        hint: `slipway cron:runs -a ${app} ${id} -n 10`,
      });
    const body = await ctx
      .api()
      .json<{ job: CronJob; runs: CronRun[] }>('GET', `${cronPath(app)}/${id}/runs?limit=${Number(n)}`);
    if (ctx.json) return ctx.output.out(JSON.stringify({ ...body, timezone: 'UTC' }, null, 2));
    ctx.output.out(`job ${body.job.id}: "${body.job.schedule}" (UTC) runs ${body.job.command.join(' ')}`);
    if (body.runs.length === 0) return ctx.output.out(`no runs yet; the first is due ${utc(body.job.nextRunAt)} UTC`);
    ctx.output.out(
      table(
        body.runs.map((r) => ({
          ...r,
          due: utc(r.dueAt),
          started: utc(r.startedAt),
          ended: utc(r.finishedAt),
          took: durationOf(r),
          status: r.status === 'missed' ? `missed ×${r.missed}` : r.status,
          lines: r.output.length,
        })),
        [
          { key: 'id', title: 'run' },
          { key: 'status', title: 'status' },
          { key: 'due', title: 'due' },
          { key: 'started', title: 'started' },
          { key: 'ended', title: 'ended' },
          { key: 'took', title: 'took' },
          { key: 'exitCode', title: 'exit' },
          { key: 'dyno', title: 'process' },
          { key: 'lines', title: 'lines' },
          { key: 'note', title: 'note' },
        ],
      ),
    );
    if (!has(ctx.args, 'output')) return;
    for (const r of body.runs.filter((x) => x.output.length > 0)) {
      ctx.output.out(`\n--- run ${r.id} (${r.status}${r.exitCode === undefined ? '' : `, exit ${r.exitCode}`}) ---`);
      for (const line of r.output) ctx.output.out(line);
    }
  },
} satisfies CommandRuns;
