import { LABELS, ONE_OFF_PROCESSES, releaseOfLabels } from '../core/types.js';
import type { DeployService } from '../deploy/deploy-service.js';
import type { DynoMover } from '../nodes/node-moves.js';
import { placementFor } from '../nodes/placement.js';
import type { Store } from '../store/store.js';

/**
 * The deploy side of moving dynos between nodes: which Swarm services are this installation's formation
 * dynos (scope label, an app it knows, not a one-off), which of them are parked warm sets, and the
 * zero-downtime replacement through the deploy service.
 */
export function dynoMover(store: Store, deploys: DeployService, scope: Record<string, string>): DynoMover {
  return {
    dynoOf(labels) {
      if (!Object.entries(scope).every(([k, v]) => labels[k] === v)) return undefined;
      const app = labels[LABELS.app];
      const process = labels[LABELS.process];
      if (!app || !process || ONE_OFF_PROCESSES.has(process) || !store.apps.find(app)) return undefined;
      const release = releaseOfLabels(labels);
      return { app, process, warm: store.warmSets.forApp(app).some((w) => w.release === release) };
    },
    async replace(app, ids, label, opts) {
      await deploys.replaceContainers(app, ids, label, opts);
    },
    async retireWarm(app, ids, signal) {
      await deploys.retireWarmSetsWith(app, ids, signal);
    },
    placementOf(app, process) {
      const found = store.apps.find(app);
      return found ? placementFor(found.settings, process) : [];
    },
  };
}
