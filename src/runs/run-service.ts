import { randomBytes } from 'node:crypto';
import type { ContainerEngine } from '../engine/port.js';
import type { Store } from '../store/store.js';
import { SlipwayError } from '../core/errors.js';
import { LABELS, resourceLimitsFor } from '../core/types.js';
import { startAttached, type AttachedContainer } from '../engine/docker-attach.js';

export interface RunRequest {
  app: string;
  command: string[];
  /** Default: the current release. */
  release?: number;
  stdin: boolean;
  tty: boolean;
}

export interface StartedRun extends AttachedContainer {
  release: number;
  /** Waits for the command to end, removes its container, returns the exit code. */
  finish(): Promise<number>;
  /** The client went away: closes the stream and kills and removes the container. */
  cancel(): Promise<void>;
}

/** One-off processes: a new container of a release (same image, same config), removed afterwards. */
export class RunService {
  constructor(private readonly deps: { engine: ContainerEngine; store: Store; scope?: Record<string, string> }) {}

  async start(req: RunRequest): Promise<StartedRun> {
    const { store, engine } = this.deps;
    const app = store.apps.get(req.app);
    if (req.command.length === 0)
      throw new SlipwayError('INVALID_INPUT', 'no command to run', { hint: 'slipway run -a APP -- COMMAND [ARGS…]' });
    const version = req.release ?? app.currentRelease;
    if (version === null || version === undefined) {
      throw new SlipwayError('NO_RELEASE', `app "${app.name}" has no release to run a command in`, {
        hint: 'deploy it first',
      });
    }
    const release = store.releases.get(app.name, version);
    const build = store.releases.build(release.buildId);
    const config = store.releases.config(app.name, version);
    const index = randomBytes(3).toString('hex');
    const attached = await startAttached(
      {
        name: `slipway-${app.name}-run-${index}`,
        image: build.imageRef,
        cmd: req.command,
        env: {
          ...config,
          PORT: String(app.settings.port),
          DYNO: `run.${index}`,
          SLIPWAY_APP: app.name,
          SLIPWAY_RELEASE: `v${version}`,
          SLIPWAY_PROCESS: `run.${index}`,
        },
        labels: {
          ...this.deps.scope,
          [LABELS.managed]: 'true',
          [LABELS.app]: app.name,
          [LABELS.release]: `v${version}`,
          [LABELS.process]: 'run',
          [LABELS.index]: index,
        },
        limits: resourceLimitsFor(app.settings, 'run'),
        logRotation: app.settings.logs,
      },
      { stdin: req.stdin, tty: req.tty },
    );
    return {
      ...attached,
      release: version,
      finish: async () => {
        try {
          return await engine.waitContainer(attached.id);
        } finally {
          await engine.removeContainer(attached.id, { force: true }).catch(() => undefined);
        }
      },
      cancel: async () => {
        attached.stream.destroy();
        await engine.removeContainer(attached.id, { force: true }).catch(() => undefined);
      },
    };
  }
}
