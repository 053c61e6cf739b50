import type { Store } from '../store/store.js';
import { LABELS, releaseOfLabels } from '../core/types.js';
import { toSlipwayError } from '../core/errors.js';
import { makeRedactor, redactDeep } from '../core/redact.js';
import { journalEvents } from './journal.js';
import { planRetire } from './plan-retire.js';
import { runRollout, type RolloutPorts } from './rollout.js';

/**
 * Blue-green warm sets: after a switch the previous web set stays parked (running, out of rotation)
 * for the app's window, so a rollback inside it is an instant switch back.
 */

/** The previous release's parked set stays warm for the app's window; older warm sets retire now. */
export function keepWarm(store: Store, app: string, release: number, nowMs = Date.now()): void {
  // The parked containers carry the label of the release they were started for, which may be an
  // equivalent of `release` (after a rollback): every one of those labels is part of the warm set.
  const labels = new Set([release, ...store.releases.equivalents(app, release)]);
  for (const older of store.warmSets.forApp(app))
    if (!labels.has(older.release)) store.warmSets.put({ ...older, expiresAt: new Date(nowMs).toISOString() });
  const expiresAt = new Date(nowMs + store.apps.get(app).settings.warmWindowMs).toISOString();
  for (const label of labels) store.warmSets.put({ app, release: label, expiresAt });
}

/**
 * Retires warm sets whose window ended, each as a journaled `retire` deployment planned like any
 * other (planRetire: the retire steps of a deploy): their servers leave HAProxy, their containers
 * stop. An app with a deployment running is left for the next pass. Returns how many retired.
 */
export async function retireExpiredWarmSets(ports: RolloutPorts, now = new Date()): Promise<number> {
  const { store } = ports;
  let retired = 0;
  for (const set of store.warmSets.expired(now.toISOString())) {
    if (store.deployments.running().some((d) => d.app === set.app)) continue;
    const deployment = store.deployments.start({
      app: set.app,
      release: set.release,
      kind: 'retire',
      now: now.toISOString(),
    });
    const config = store.releases.config(set.app, set.release);
    const redact = makeRedactor(config);
    try {
      await runRollout(ports, {
        app: set.app,
        deploymentId: deployment.id,
        desired: { release: set.release, processes: {}, formation: {} },
        config,
        settings: store.apps.get(set.app).settings,
        emit: journalEvents(store, deployment.id, redact),
        planner: (_desired, _observed, warm) =>
          planRetire(
            warm.filter((c) => c.release === set.release),
            { parked: true },
          ),
      });
      store.warmSets.remove(set.app, set.release);
      store.deployments.finish(deployment.id, 'succeeded', new Date().toISOString());
      retired += 1;
    } catch (err) {
      const error = redactDeep(toSlipwayError(err).toJSON(), redact);
      store.deployments.finish(deployment.id, 'failed', new Date().toISOString(), error);
    }
  }
  return retired;
}

/**
 * Ends now the warm sets of `app` that have a container among `ids` (nodes:drain: a node going away takes
 * its parked containers with it), then retires every expired set. Returns how many retired.
 */
export async function retireWarmSetsWith(
  ports: RolloutPorts,
  app: string,
  ids: string[],
  signal?: AbortSignal,
): Promise<number> {
  const { store, engine } = ports;
  const sets = store.warmSets.forApp(app);
  if (sets.length === 0) return 0;
  const containers = await engine.listContainers({ [LABELS.app]: app }, signal);
  const wanted = new Set(ids);
  const releases = new Set(containers.filter((c) => wanted.has(c.id)).map((c) => releaseOfLabels(c.labels)));
  const now = new Date();
  const ending = sets.filter((w) => releases.has(w.release));
  for (const set of ending) store.warmSets.put({ ...set, expiresAt: new Date(now.getTime() - 1).toISOString() });
  return ending.length === 0 ? 0 : retireExpiredWarmSets(ports, now);
}
