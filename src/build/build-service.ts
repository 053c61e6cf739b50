import { createReadStream } from 'node:fs';
import type { ContainerEngine } from '../engine/port.js';
import type { Store } from '../store/store.js';
import { LABELS, type Build } from '../core/types.js';
import { SlipwayError } from '../core/errors.js';
import { stage, type EventSink } from '../core/events.js';
import { readServiceDefinition } from './service-definition.js';
import { listTarFiles } from './tar-inspect.js';
import type { SourceBuildContext, SourceBuildResult } from './source-build-types.js';
import { buildFromAnalysis } from './analyzed-build.js';
import { buildFromPipeline } from './pipeline/pipeline-build.js';
import { BuildRecording, type BuildInputs } from './build-recording.js';

export interface SourceBuildOptions {
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  /** Strategy-specific options from the command line (runtime, baseImage, caCert, …). */
  options?: Record<string, string>;
  /** Human description of where the source came from (a directory path, a commit). */
  description: string;
  emit: EventSink;
  signal?: AbortSignal;
  /** Who started it (`user@host`). */
  actor?: string;
  /** Source info, secrets, build.yml variables, extra tags (issue 5: pipelines and build records). */
  build?: BuildInputs;
}

export type RecordedBuild = Build & { settings?: SourceBuildResult['settings']; buildRecord?: string };

/** Turns a prebuilt image or an uploaded source archive into a recorded build. */
export class BuildService {
  constructor(private readonly deps: { engine: ContainerEngine; store: Store }) {}

  async fromImage(app: string, image: string, emit: EventSink, signal?: AbortSignal): Promise<RecordedBuild> {
    const info = await stage(emit, 'build', `inspect image ${image}`, async () => {
      const found = await this.deps.engine.inspectImage(image, signal);
      if (!found) {
        throw new SlipwayError('IMAGE_NOT_FOUND', `image "${image}" does not exist on this host`, {
          hint: 'build or load it first (`docker images` lists what is here), or deploy a directory with `slipway deploy DIR`',
        });
      }
      return found;
    });
    return this.deps.store.releases.addBuild({
      app,
      imageId: info.id,
      imageRef: info.id,
      source: { kind: 'image', image },
      procfile: null,
      createdAt: new Date().toISOString(),
    });
  }

  /**
   * Builds an uploaded directory: build.yml when present, else its Dockerfile, else from source
   * analysis. The Procfile (when present) is validated before anything builds.
   */
  async fromSource(app: string, tarFile: string, opts: SourceBuildOptions): Promise<RecordedBuild> {
    const files = new Set(await listTarFiles(tarFile));
    const inputs: BuildInputs = { ...(opts.actor ? { startedBy: opts.actor } : {}), ...opts.build };
    const pipelineFile = inputs.buildFile ?? 'build.yml';
    const pipeline = files.has(pipelineFile) && !opts.dockerfile;
    if (inputs.buildFile && !files.has(inputs.buildFile)) {
      throw new SlipwayError('NO_DOCKERFILE', `no ${inputs.buildFile} in the source directory`, { hint: 'check the --file path (relative to the directory)' });
    }
    if (!pipeline && Object.keys(inputs.secrets ?? {}).length > 0) {
      throw new SlipwayError('INVALID_INPUT', 'build secrets are only given to build.yml steps that list them', {
        hint: 'add a build.yml whose steps list the secrets, or leave --secret out; nothing was built',
      });
    }
    const dockerfile = opts.dockerfile ?? 'Dockerfile';
    const digestOf = pipeline ? pipelineFile : files.has(dockerfile) ? dockerfile : undefined;
    const rec = await BuildRecording.start(this.deps, app, tarFile, digestOf, opts.description, inputs, opts.emit);
    const ctx: SourceBuildContext & { buildId: string; secrets: Record<string, string>; env: Record<string, string>; buildFile: string } = {
      engine: this.deps.engine,
      store: this.deps.store,
      app,
      tarFile,
      files,
      tag: `slipway/${app}:build-${rec.id}`,
      ...(opts.dockerfile ? { dockerfile: opts.dockerfile } : {}),
      buildArgs: opts.buildArgs ?? {},
      options: opts.options ?? {},
      // Per-build labels are stamped after the build (rec.stamp), so the layer cache still works.
      labels: { [LABELS.app]: app, [LABELS.managed]: 'true' },
      emit: rec.emit,
      ...(opts.signal ? { signal: opts.signal } : {}),
      buildId: rec.id,
      secrets: inputs.secrets ?? {},
      env: inputs.env ?? {},
      buildFile: pipelineFile,
    };
    const { build, result } = await rec.run(async () => {
      let result: SourceBuildResult;
      if (pipeline) result = await buildFromPipeline(ctx);
      else if (files.has(dockerfile)) result = await buildDockerfile(ctx);
      else if (opts.dockerfile) {
        throw new SlipwayError('NO_DOCKERFILE', `no ${opts.dockerfile} in the deployed directory`, { hint: 'check the --dockerfile path (relative to the directory)' });
      } else result = await buildFromAnalysis(ctx);
      result = await rec.stamp(result, opts.signal);
      const build = this.deps.store.releases.addBuild({
        app,
        imageId: result.imageId,
        imageRef: result.imageRef,
        source: { kind: 'dir', description: opts.description },
        procfile: result.procfile,
        createdAt: new Date().toISOString(),
      });
      return { build, result };
    });
    return { ...build, buildRecord: rec.id, ...(result.settings ? { settings: result.settings } : {}) };
  }
}

/** The plain strategy: the directory's own Dockerfile, built by the engine. */
async function buildDockerfile(ctx: SourceBuildContext): Promise<SourceBuildResult> {
  // Procfile and slipway.yml (processes, release, port, health check), validated before anything builds.
  const { procfile, settings } = await readServiceDefinition(ctx.tarFile, ctx.files);
  const { imageId } = await stage(
    ctx.emit,
    'build',
    `build image ${ctx.tag}`,
    () =>
      ctx.engine.buildImage({
        context: createReadStream(ctx.tarFile),
        tag: ctx.tag,
        ...(ctx.dockerfile ? { dockerfile: ctx.dockerfile } : {}),
        buildArgs: ctx.buildArgs,
        labels: ctx.labels,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        onOutput: (text) => ctx.emit({ type: 'output', source: 'build', text, at: new Date().toISOString() }),
      }),
    (r) => r.imageId.slice(0, 19),
  );
  return { imageId, imageRef: ctx.tag, procfile, ...(settings ? { settings } : {}) };
}
