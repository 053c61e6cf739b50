import type { ContainerEngine } from '../engine/port.js';
import type { Router } from '../router/port.js';
import type { Store } from '../store/store.js';
import type { AppSettings } from '../core/types.js';
import type { EventSink } from '../core/events.js';
import { observeApp } from './observe.js';
import { planRollout } from './plan-rollout.js';
import { RolloutExecutor } from './rollout-executor.js';
import type { DeployStep, DesiredState, Planner } from './plan-types.js';

/** The ports a rollout drives. */
export interface RolloutPorts {
  engine: ContainerEngine;
  router: Router;
  store: Store;
}

/** One journaled rollout of an app towards `desired`. */
export interface RolloutRun {
  app: string;
  /** The deployment whose journal records the steps. */
  deploymentId: number;
  desired: DesiredState;
  config: Record<string, string>;
  settings: AppSettings;
  emit: EventSink;
  signal?: AbortSignal;
  /** Default: a rolling deploy. */
  planner?: Planner;
  /** apps:destroy: every container of the app is observed (one-offs too) and no log is archived. */
  everything?: boolean;
}

/**
 * Observe, plan, execute: the app's containers (warm blue-green sets apart: plans only touch them
 * through `warm`) and routes → the planner's steps → the journaled executor. Returns the steps run.
 */
export async function runRollout(deps: RolloutPorts, run: RolloutRun): Promise<DeployStep[]> {
  const { store, engine, router } = deps;
  const warmReleases = new Set(store.warmSets.forApp(run.app).map((w) => w.release));
  const all = await observeApp(engine, store.routes, run.app, run.signal, { all: run.everything === true });
  const steps = (run.planner ?? planRollout)(
    run.desired,
    all.filter((c) => !warmReleases.has(c.release)),
    all.filter((c) => warmReleases.has(c.release)),
  );
  const executor = new RolloutExecutor(
    { engine, router, store, emit: run.emit, ...(run.signal ? { signal: run.signal } : {}) },
    {
      app: run.app,
      deploymentId: run.deploymentId,
      desired: run.desired,
      config: run.config,
      settings: run.settings,
      ...(run.everything ? { archiveLogs: false } : {}),
    },
  );
  await executor.execute(steps);
  return steps;
}
