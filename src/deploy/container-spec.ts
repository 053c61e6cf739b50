import { randomBytes } from 'node:crypto';
import type { ContainerSpec } from '../engine/port.js';
import { LABELS } from '../core/types.js';

export interface ProcessContainerInput {
  app: string;
  release: number;
  process: string;
  index: number;
  image: string;
  /** Procfile command, or null for the image's own CMD. */
  command: string | null;
  config: Record<string, string>;
  port: number;
  stopGraceSec: number;
  deploymentId?: number;
  /** The app's settings for this process type (resourceLimitsFor) and its log rotation. */
  limits?: ContainerSpec['limits'];
  logRotation?: ContainerSpec['logRotation'];
  /** Swarm placement constraints of this process type (`placement.TYPE`); the one-host engine ignores them. */
  placement?: string[];
}

/** Pure: the container spec for one process of a release (labels tie it to the model). */
export function processContainerSpec(
  input: ProcessContainerInput,
  suffix = randomBytes(3).toString('hex'),
): ContainerSpec {
  const dyno = `${input.process}.${input.index}`;
  return {
    name: `slipway-${input.app}-${input.process}-${input.index}-v${input.release}-${suffix}`,
    image: input.image,
    ...(input.command === null ? {} : { cmd: shellCommand(input.command) }),
    env: {
      ...input.config,
      PORT: String(input.port),
      DYNO: dyno,
      SLIPWAY_APP: input.app,
      SLIPWAY_RELEASE: `v${input.release}`,
      SLIPWAY_PROCESS: dyno,
    },
    labels: {
      [LABELS.managed]: 'true',
      [LABELS.app]: input.app,
      [LABELS.release]: `v${input.release}`,
      [LABELS.process]: input.process,
      [LABELS.index]: String(input.index),
      ...(input.deploymentId === undefined ? {} : { [LABELS.deployment]: String(input.deploymentId) }),
    },
    ...(input.process === 'web' ? { containerPort: input.port } : {}),
    stopTimeoutSec: input.stopGraceSec,
    ...(input.limits ? { limits: input.limits } : {}),
    ...(input.logRotation ? { logRotation: input.logRotation } : {}),
    ...(input.placement?.length ? { placement: input.placement } : {}),
  };
}

/**
 * Procfile commands run through /bin/sh like on Heroku. A simple command is exec'd so that it
 * becomes the shell's replacement and receives SIGTERM itself.
 */
export function shellCommand(command: string): string[] {
  const simple = !/[;&|\n()]/.test(command) && !/^\s*exec\s/.test(command);
  return ['/bin/sh', '-c', simple ? `exec ${command}` : command];
}
