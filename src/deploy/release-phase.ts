import type { ContainerEngine, ContainerSpec } from '../engine/port.js';
import { SlipwayError } from '../core/errors.js';
import { LABELS } from '../core/types.js';
import type { EventSink } from '../core/events.js';
import { shellCommand } from './container-spec.js';
import { randomBytes } from 'node:crypto';

/**
 * Runs the Procfile `release:` command once, in the new image with the release's config, before
 * any traffic moves. Output goes to the deploy log; a non-zero exit aborts the deploy.
 */
export async function runReleasePhase(
  engine: ContainerEngine,
  input: {
    app: string;
    release: number;
    image: string;
    command: string;
    config: Record<string, string>;
    emit: EventSink;
    redact: (s: string) => string;
    signal?: AbortSignal;
    limits?: ContainerSpec['limits'];
    logRotation?: ContainerSpec['logRotation'];
  },
): Promise<void> {
  const info = await engine.runContainer(
    {
      name: `slipway-${input.app}-release-v${input.release}-${randomBytes(3).toString('hex')}`,
      image: input.image,
      cmd: shellCommand(input.command),
      env: { ...input.config, SLIPWAY_APP: input.app, SLIPWAY_RELEASE: `v${input.release}`, DYNO: 'release.1' },
      labels: {
        [LABELS.managed]: 'true',
        [LABELS.app]: input.app,
        [LABELS.release]: `v${input.release}`,
        [LABELS.process]: 'release',
        [LABELS.index]: '1',
      },
      ...(input.limits ? { limits: input.limits } : {}),
      ...(input.logRotation ? { logRotation: input.logRotation } : {}),
    },
    input.signal,
  );
  try {
    for await (const line of engine.logs(info.id, {
      follow: true,
      ...(input.signal ? { signal: input.signal } : {}),
    })) {
      input.emit({ type: 'output', source: 'release', text: input.redact(line.text), at: line.time });
    }
    const code = await engine.waitContainer(info.id, input.signal);
    if (code !== 0) {
      throw new SlipwayError('CONTAINER_FAILED', `release command exited with code ${code}; nothing was switched`, {
        hint: 'fix the `release:` command in the Procfile (its output is in the deploy log above)',
        details: { exitCode: code },
      });
    }
  } finally {
    await engine.removeContainer(info.id, { force: true }).catch(() => undefined);
  }
}
