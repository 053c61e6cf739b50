import { SlipwayError, toSlipwayError } from '../../core/errors.js';
import { makeRedactor, redactDeep } from '../../core/redact.js';
import { stage, type EventSink } from '../../core/events.js';
import { parseProcfile, procfileProcesses } from '../../config/procfile.js';
import { readSourceFile } from '../source-files.js';
import type { SourceBuildContext, SourceBuildResult } from '../source-build-types.js';
import { BUILD_LABEL, copyArtifactsOut, placeArtifact } from './artifacts.js';
import { incomingArtifacts } from './graph.js';
import { planPipeline, type PipelinePlan } from './plan.js';
import { buildStep, type StepRecord } from './runner.js';
import { runGraph } from './scheduler.js';
import { assertArtifactsSecretFree, assertImageSecretFree } from './secrets.js';

/** What a pipeline build needs beyond a plain source build (given by BuildService). */
export interface PipelineInput {
  /** Build secrets by name (values never leave this build: see secrets.ts). */
  secrets: Record<string, string>;
  /** Variables for `${VAR}` in build.yml (sent by the CLI: referenced ones from its environment, and --env). */
  env: Record<string, string>;
  /** The build file inside the source (default build.yml). */
  buildFile: string;
  /** How many steps may build at the same time (default 4). */
  concurrency: number;
}

export const INTERMEDIATE_LABEL = 'slipway.intermediate';

/** Builds a directory with a build.yml: a graph of steps with artifacts and build secrets (issue 5). */
export async function buildFromPipeline(ctx: SourceBuildContext & Partial<PipelineInput>): Promise<SourceBuildResult> {
  const buildId = ctx.workspace.buildId;
  const file = ctx.buildFile ?? 'build.yml';
  const secrets = ctx.secrets ?? {};
  const redact = makeRedactor(secrets);
  const emit: EventSink = (event) => ctx.emit(redactDeep(event, redact));
  if (!ctx.files.has(file))
    throw new SlipwayError('NO_DOCKERFILE', `no ${file} in the source directory`, {
      hint: 'check the --file path (relative to the directory)',
    });
  const ws = ctx.workspace;
  const plan = await planPipeline({
    file,
    text: await readSourceFile(ws.src, file),
    files: ctx.files,
    readFile: (path) => readSourceFile(ws.src, path),
    vars: ctx.env ?? {},
    secretNames: Object.keys(secrets),
  });
  const procfile = ctx.files.has('Procfile')
    ? procfileProcesses(parseProcfile(await readSourceFile(ws.src, 'Procfile')))
    : null;
  const { spec } = plan;
  const tags = Object.fromEntries(
    Object.keys(spec.steps).map((s) => [s, s === spec.final ? ctx.tag : `slipway-tmp/${ctx.app}:${buildId}.${s}`]),
  );
  const records: StepRecord[] = [];
  const extracted = new Map<string, string[]>();
  const built: string[] = [];
  emit({
    type: 'info',
    text:
      `build ${buildId}: ${Object.keys(spec.steps).length} steps, final ${spec.final}` +
      `${plan.tainted.size ? `, secrets used by ${[...plan.tainted].join(', ')} (intermediate)` : ''}`,
    at: new Date().toISOString(),
  });
  try {
    const runOne = async (name: string, signal: AbortSignal): Promise<StepRecord> => {
      const step = spec.steps[name]!;
      const deps = plan.nodes.find((n) => n.name === name)!.deps;
      const dir = await ws.prepareStep(name);
      // Every ancestor's artifacts, not only the direct dependencies' (collisions were refused in the plan).
      for (const { step: from, index, artifact } of incomingArtifacts(spec, plan.nodes, name))
        await placeArtifact(extracted.get(from)![index]!, dir, artifact, name);
      const labels: Record<string, string> =
        name === spec.final ? ctx.labels : { [BUILD_LABEL]: buildId, [INTERMEDIATE_LABEL]: 'true' };
      let record: StepRecord;
      try {
        record = await buildStep({
          engine: ctx.engine,
          ws,
          name,
          step,
          deps,
          tags,
          buildArgs: ctx.buildArgs,
          secrets,
          labels,
          kept: name === spec.final,
          redact,
          emit,
          signal,
        });
      } catch (err) {
        const failed = toSlipwayError(err).details?.['step'] as StepRecord | undefined;
        if (failed) records.push(failed);
        throw err;
      }
      built.push(name);
      records.push(record);
      const paths = await copyArtifactsOut(ctx.engine, ws, name, tags[name]!, step.artifacts, ctx.limits, signal);
      if (plan.tainted.has(name)) for (const path of paths) await assertArtifactsSecretFree(path, secrets, name);
      extracted.set(name, paths);
      return record;
    };
    const results = await runGraph(
      plan.nodes,
      (name, signal) =>
        stage(
          emit,
          'build',
          `step ${name}`,
          () => runOne(name, signal),
          (r) => `${r.cached}/${r.layers} layers cached${r.kept ? '' : ', intermediate'}`,
        ),
      { concurrency: ctx.concurrency ?? 4, ...(ctx.signal ? { signal: ctx.signal } : {}) },
    );
    const imageId = results.get(spec.final)!.imageId!;
    await assertImageSecretFree(ctx.engine, ctx.tag, secrets, ctx.signal);
    return { imageId, imageRef: ctx.tag, procfile, record: pipelineRecord(file, plan, records) };
  } catch (err) {
    if (built.includes(spec.final)) await ctx.engine.removeImage?.(ctx.tag).catch(() => undefined);
    const error = toSlipwayError(err);
    throw new SlipwayError(error.code, redact(error.message), {
      ...(error.hint ? { hint: redact(error.hint) } : {}),
      details: redactDeep({ ...error.details, build: buildId, steps: records }, redact),
    });
  } finally {
    // Intermediate images go, newest first (a step built FROM another is removed before it).
    for (const name of [...built].reverse())
      if (name !== spec.final) await ctx.engine.removeImage?.(tags[name]!).catch(() => undefined);
  }
}

function pipelineRecord(file: string, plan: PipelinePlan, steps: StepRecord[]): Record<string, unknown> {
  return { strategy: 'pipeline', buildFile: file, final: plan.spec.final, steps };
}
