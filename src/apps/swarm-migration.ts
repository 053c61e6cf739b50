import { pollUntil } from '../core/abort.js';
import { isSlipwayError } from '../core/errors.js';
import type { EventSink } from '../core/events.js';
import { LABELS, ONE_OFF_PROCESSES, releaseOfLabels } from '../core/types.js';
import type { DeployService } from '../deploy/deploy-service.js';
import type { ContainerEngine } from '../engine/port.js';
import { isPlainContainerId } from '../engine/swarm/swarm-engine.js';
import type { Store } from '../store/store.js';

/** How long the move waits for an app's own deploy (or heal) to end before it leaves the app for the next start. */
const BUSY_WAIT_MS = 10 * 60_000;

export interface SwarmMigrationDeps {
  store: Store;
  /** The engine in use (the Swarm engine by now: it still reaches the plain containers on the manager). */
  engine: ContainerEngine;
  deploys: DeployService;
  log: (message: string) => void;
}

export interface SwarmMigrationResult {
  /** Apps whose processes moved. */
  apps: string[];
  moved: number;
  /** Apps left as they were (a deploy that did not end, a failed move): the next server start tries again. */
  failed: { app: string; error: string }[];
}

/**
 * Moving to Swarm with apps running: every formation process that still is a plain container on the manager
 * is replaced by a Swarm service the rolling way (the service is UP in HAProxy before the container drains),
 * app after app. Parked warm sets stay plain until they retire (a rollback into them still works: the Swarm
 * engine reaches plain containers). Idempotent: run again at every start, it moves what is left.
 */
export async function moveAppsToSwarm(deps: SwarmMigrationDeps, signal?: AbortSignal): Promise<SwarmMigrationResult> {
  const { store, engine, deploys, log } = deps;
  const result: SwarmMigrationResult = { apps: [], moved: 0, failed: [] };
  for (const app of store.apps.list()) {
    if (signal?.aborted) break;
    if (app.currentRelease === null) continue;
    const warm = new Set(store.warmSets.forApp(app.name).map((w) => w.release));
    const containers = await engine.listContainers({ [LABELS.app]: app.name, [LABELS.managed]: 'true' }, signal);
    const plain = containers.filter((c) => {
      const process = c.labels[LABELS.process] ?? '';
      const release = releaseOfLabels(c.labels);
      return isPlainContainerId(c.id) && process !== '' && !ONE_OFF_PROCESSES.has(process) && !warm.has(release);
    });
    if (plain.length === 0) continue;
    const label = `move ${plain.length} process(es) of ${app.name} onto Swarm services`;
    try {
      await pollUntil(async () => (store.deployments.running().some((d) => d.app === app.name) ? undefined : true), {
        timeoutMs: BUSY_WAIT_MS,
        intervalMs: 250,
        what: `the deployment of ${app.name} in progress to end`,
        ...(signal ? { signal } : {}),
      });
      const emit: EventSink = (e) => {
        if (e.type === 'stage-end' && e.stage === 'deploy') log(`swarm move: ${e.label} ${e.ok ? 'done' : 'failed'}`);
      };
      await deploys.replaceContainers(
        app.name,
        plain.map((c) => c.id),
        label,
        { emit, ...(signal ? { signal } : {}) },
      );
      result.apps.push(app.name);
      result.moved += plain.length;
    } catch (err) {
      const error = isSlipwayError(err) || err instanceof Error ? err.message : String(err);
      result.failed.push({ app: app.name, error });
      log(`swarm move: ${app.name} stays on this host for now (${error}); the next start tries again`);
    }
  }
  return result;
}
