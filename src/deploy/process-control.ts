import type { Store } from '../store/store.js';
import { SlipwayError } from '../core/errors.js';
import type { RunService } from '../runs/run-service.js';
import { RUN_DYNO } from '../runs/run-spec.js';
import type { DeployOutcome, DeployService, RunOptions } from './deploy-service.js';

export interface StopOutcome {
  /** Types stopped now (their formation counts kept). */
  stopped: string[];
  /** Types that were stopped already. */
  already: string[];
  oneOffs: { dyno: string; exitCode?: number }[];
  rollout?: DeployOutcome;
}

export interface StartOutcome {
  started: string[];
  rollout: DeployOutcome;
}

/**
 * `ps:stop` / `ps:start`: a process type stops without losing its formation count (web leaves the
 * router first: drain, then stop) and comes back through the same sequence as a deploy; a one-off
 * (`run.ab12cd`) is stopped. While a type is stopped, deploys and the supervisor leave it stopped.
 */
export class ProcessControl {
  constructor(private readonly deps: { store: Store; deploys: DeployService; runs: RunService }) {}

  async stop(app: string, targets: string[], opts: RunOptions): Promise<StopOutcome> {
    const hint = `slipway ps:stop -a ${app} web (a process type) or run.ab12cd (a one-off)`;
    if (targets.length === 0) throw new SlipwayError('INVALID_INPUT', 'what to stop?', { hint });
    const oneOffs = targets.filter((t) => RUN_DYNO.test(t));
    const types = this.checkTypes(
      app,
      targets.filter((t) => !RUN_DYNO.test(t)),
      hint,
    );
    const stoppedBefore = this.deps.store.stoppedProcesses.types(app);
    const fresh = types.filter((t) => !stoppedBefore.has(t));
    const outcome: StopOutcome = { stopped: fresh, already: types.filter((t) => stoppedBefore.has(t)), oneOffs: [] };
    for (const dyno of oneOffs) outcome.oneOffs.push(await this.deps.runs.stopOneOff(app, dyno));
    if (fresh.length === 0) return outcome;
    const actor = opts.actor ?? 'api';
    outcome.rollout = await this.deps.deploys.converge(
      app,
      'stop',
      `stop ${fresh.join(', ')}`,
      {
        apply: () =>
          fresh.forEach((t) => this.deps.store.stoppedProcesses.stop(app, t, new Date().toISOString(), actor)),
        undo: () => fresh.forEach((t) => this.deps.store.stoppedProcesses.start(app, t)),
      },
      opts,
    );
    return outcome;
  }

  /** Starts the named stopped types (default: all), and brings back dynos their restart mode left down. */
  async start(app: string, types: string[], opts: RunOptions): Promise<StartOutcome> {
    const wanted = this.checkTypes(app, types, `slipway ps:start -a ${app} [TYPE…]`);
    const stopped = this.deps.store.stoppedProcesses.types(app);
    const started = (wanted.length > 0 ? wanted : [...stopped]).filter((t) => stopped.has(t));
    const actor = opts.actor ?? 'api';
    const rollout = await this.deps.deploys.converge(
      app,
      'start',
      started.length > 0 ? `start ${started.join(', ')}` : 'start',
      {
        apply: () => started.forEach((t) => this.deps.store.stoppedProcesses.start(app, t)),
        undo: () =>
          started.forEach((t) => this.deps.store.stoppedProcesses.stop(app, t, new Date().toISOString(), actor)),
      },
      opts,
    );
    return { started, rollout };
  }

  /** Process types of the current release; anything else is refused naming the known ones. */
  private checkTypes(app: string, types: string[], hint: string): string[] {
    const row = this.deps.store.apps.get(app);
    if (types.length === 0) return [];
    if (row.currentRelease === null)
      throw new SlipwayError('NO_RELEASE', `app "${app}" has no release: nothing runs`, { hint: 'deploy it first' });
    const processes = this.deps.deploys.processesOf(this.deps.store.releases.get(app, row.currentRelease));
    for (const type of types) {
      if (!Object.hasOwn(processes, type))
        throw new SlipwayError(
          'INVALID_INPUT',
          `v${row.currentRelease} has no process type ${JSON.stringify(type.slice(0, 40))}`,
          {
            hint: `known types: ${Object.keys(processes).join(', ')}; ${hint}`,
          },
        );
    }
    return [...new Set(types)];
  }
}
