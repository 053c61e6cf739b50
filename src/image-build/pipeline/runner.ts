import type { ContainerEngine } from '../../engine/port.js';
import { SlipwayError, toSlipwayError } from '../../core/errors.js';
import { redactDeep } from '../../core/redact.js';
import type { EventSink } from '../../core/events.js';
import { rewriteStepRefs } from './dockerfile-refs.js';
import type { StepSpec } from './schema.js';
import type { BuildWorkspace } from './workspace.js';

/** What the build record keeps of one step (never a secret value, only names). */
export interface StepRecord {
  name: string;
  dockerfile: string;
  dependsOn: string[];
  imageId?: string;
  startedAt: string;
  finishedAt: string;
  ms: number;
  /** Dockerfile instructions run, and how many of them the builder took from its cache. */
  layers: number;
  cached: number;
  secrets: string[];
  artifacts: string[];
  /** false: an intermediate image, removed when the build ends. */
  kept: boolean;
  ok: boolean;
}

export interface StepRun {
  engine: ContainerEngine;
  ws: BuildWorkspace;
  name: string;
  step: StepSpec;
  deps: string[];
  /** Image tag of every step (FROM <step> is rewritten to it). */
  tags: Record<string, string>;
  buildArgs: Record<string, string>;
  secrets: Record<string, string>;
  labels: Record<string, string>;
  kept: boolean;
  redact: (text: string) => string;
  emit: EventSink;
  signal: AbortSignal;
}

const STEP_LINE = /^Step \d+\/\d+ : /;
const CACHE_LINE = /^ ---> Using cache$/;
const LAYER_LINE = /^ ---> ([0-9a-f]{12,64})$/;

/** Builds one step's image from its prepared context; on failure removes the layers it committed. */
export async function buildStep(run: StepRun): Promise<StepRecord> {
  const { engine, ws, name, step } = run;
  const startedAt = new Date();
  let layers = 0;
  let cached = 0;
  const layerIds: string[] = [];
  const record = (ok: boolean, imageId?: string): StepRecord => ({
    name,
    dockerfile: step.dockerfile,
    dependsOn: run.deps,
    ...(imageId ? { imageId } : {}),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    ms: Date.now() - startedAt.getTime(),
    layers,
    cached,
    secrets: step.secrets,
    artifacts: step.artifacts.map((a) => `${a.from}:${a.to}`),
    kept: run.kept,
    ok,
  });
  const dockerfile = await ws.readStepFile(name, step.dockerfile);
  await ws.writeStepFile(name, step.dockerfile, rewriteStepRefs(dockerfile, run.tags));
  const secretArgs = Object.fromEntries(step.secrets.map((s) => [s, run.secrets[s]!]));
  try {
    const { imageId } = await engine.buildImage({
      context: await ws.contextStream(name),
      tag: run.tags[name]!,
      dockerfile: step.dockerfile,
      buildArgs: { ...run.buildArgs, ...step.args, ...secretArgs },
      labels: run.labels,
      signal: run.signal,
      onOutput: (line) => {
        if (STEP_LINE.test(line)) layers++;
        if (CACHE_LINE.test(line)) cached++;
        const layer = LAYER_LINE.exec(line)?.[1];
        if (layer) layerIds.push(layer);
        run.emit({
          type: 'output',
          source: 'build',
          text: `[${name}] ${run.redact(line)}`,
          at: new Date().toISOString(),
        });
      },
    });
    return record(true, imageId);
  } catch (err) {
    await removeUntaggedLayer(engine, layerIds.at(-1));
    const error = redactDeep(toSlipwayError(err).toJSON(), run.redact);
    throw new SlipwayError(error.code, `step "${name}": ${error.message}`, {
      ...(error.hint ? { hint: error.hint } : {}),
      details: { ...error.details, step: record(false) },
    });
  }
}

/**
 * A failed build leaves the layers it committed as untagged images (with a secret step, their
 * history holds the secret). Removing the last one removes its untagged parents too; a tagged
 * image (a base image) or one with other children is never touched.
 */
export async function removeUntaggedLayer(engine: ContainerEngine, id: string | undefined): Promise<void> {
  if (!id || !engine.removeImage) return;
  const info = await engine.inspectImage(id).catch(() => null);
  if (!info || info.tags.length > 0) return;
  await engine.removeImage(info.id).catch(() => undefined);
}
