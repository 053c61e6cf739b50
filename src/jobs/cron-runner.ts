import type { ContainerEngine } from '../engine/port.js';
import type { Store } from '../store/store.js';
import { LABELS, releaseOfLabels } from '../core/types.js';
import { makeRedactor } from '../core/redact.js';
import type { LaunchedRun, RunService } from '../runs/run-service.js';
import { lastOutputLines, retireOneOff, waitForExit } from '../runs/one-off-exit.js';
import type { CronJob } from './cron-types.js';

/** What the scheduler needs to run a job: the one-off side effects, behind one narrow port. */
export interface CronRunner {
  /** Starts the job's command as a one-off of the app's current release (its config, the `run` type's limits). */
  launch(job: CronJob, runId: number, signal?: AbortSignal): Promise<LaunchedRun>;
  /** Its exit code once it ends; undefined when its container is gone. */
  waitForExit(containerId: string, signal: AbortSignal): Promise<number | undefined>;
  /** The last `keep` output lines; its logs are kept in the store and its container removed. */
  retire(
    containerId: string,
    exitCode: number | undefined,
    redact: (s: string) => string,
    keep: number,
  ): Promise<string[]>;
  /** Containers of scheduled runs on the engine, by run id (found again after a restart). */
  runContainers(): Promise<Map<number, RunContainer>>;
  /** The redactor of a release's config (for a run found again after a restart). */
  redactorFor(app: string, release: number | undefined): (s: string) => string;
}

export interface RunContainer {
  id: string;
  app: string;
  release?: number;
}

/** The real runner: one-off containers through RunService, on the engine. */
export function oneOffCronRunner(deps: { runs: RunService; engine: ContainerEngine; store: Store }): CronRunner {
  const { runs, engine, store } = deps;
  return {
    launch: (job, runId, signal) =>
      runs.launch({ app: job.app, command: job.command }, { [LABELS.cronRun]: String(runId) }, signal),
    waitForExit: (id, signal) => waitForExit(engine, id, signal),
    retire: async (id, exitCode, redact, keep) => {
      const lines = await lastOutputLines(engine, id, keep, redact);
      await retireOneOff(engine, store.logs, id, { exitCode, redact });
      return lines;
    },
    runContainers: async () => {
      const found = await engine.listContainers({ [LABELS.managed]: 'true', [LABELS.cronRun]: undefined });
      return new Map(
        found.map((c) => {
          const release = releaseOfLabels(c.labels);
          const container: RunContainer = {
            id: c.id,
            app: c.labels[LABELS.app] ?? '',
            ...(Number.isInteger(release) ? { release } : {}),
          };
          return [Number(c.labels[LABELS.cronRun]), container];
        }),
      );
    },
    redactorFor: (app, release) => {
      try {
        return makeRedactor(release === undefined ? {} : store.releases.config(app, release));
      } catch {
        return makeRedactor({});
      }
    },
  };
}
