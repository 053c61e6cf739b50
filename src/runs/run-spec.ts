import { randomBytes } from 'node:crypto';
import type { ContainerSpec } from '../engine/port.js';
import type { Store } from '../store/store.js';
import { SlipwayError } from '../core/errors.js';
import { LABELS, resourceLimitsFor, type App } from '../core/types.js';

/** What a one-off runs in: a release's image and config, with the app's settings. */
export interface RunTarget {
  app: App;
  release: number;
  image: string;
  config: Record<string, string>;
}

/** The release a one-off runs in (default: the current one). */
export function resolveRunTarget(store: Store, appName: string, release?: number): RunTarget {
  const app = store.apps.get(appName);
  const version = release ?? app.currentRelease;
  if (version === null) {
    throw new SlipwayError('NO_RELEASE', `app "${app.name}" has no release to run a command in`, {
      hint: 'deploy it first',
    });
  }
  const row = store.releases.get(app.name, version);
  return {
    app,
    release: version,
    image: store.releases.build(row.buildId).imageRef,
    config: store.releases.config(app.name, version),
  };
}

/** A one-off's index: six hex digits, so its dyno is `run.ab12cd`. */
export function newRunIndex(): string {
  return randomBytes(3).toString('hex');
}

export const RUN_DYNO = /^run\.[0-9a-f]{6}$/;

/**
 * Pure: the container of a one-off (`run`, `run --detach`, a scheduled job): the release's image and
 * config, the `run` type's limits, no published port; `labels` mark detached and scheduled ones.
 */
export function oneOffSpec(
  target: RunTarget,
  command: string[],
  index: string,
  labels: Record<string, string> = {},
): ContainerSpec {
  const { app, release } = target;
  const dyno = `run.${index}`;
  return {
    name: `slipway-${app.name}-run-${index}`,
    image: target.image,
    cmd: command,
    env: {
      ...target.config,
      PORT: String(app.settings.port),
      DYNO: dyno,
      SLIPWAY_APP: app.name,
      SLIPWAY_RELEASE: `v${release}`,
      SLIPWAY_PROCESS: dyno,
    },
    labels: {
      ...labels,
      [LABELS.managed]: 'true',
      [LABELS.app]: app.name,
      [LABELS.release]: `v${release}`,
      [LABELS.process]: 'run',
      [LABELS.index]: index,
    },
    stopTimeoutSec: app.settings.stopGraceSec,
    limits: resourceLimitsFor(app.settings, 'run'),
    logRotation: app.settings.logs,
  };
}
