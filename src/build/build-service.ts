import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { ContainerEngine } from '../engine/port.js';
import type { Store } from '../store/store.js';
import type { Build } from '../core/types.js';
import { SlipwayError } from '../core/errors.js';
import { stage, type EventSink } from '../core/events.js';
import { readServiceDefinition } from './service-definition.js';
import { listTarFiles } from './tar-inspect.js';
import type { SourceBuildContext, SourceBuildResult } from './source-build-types.js';
import { buildFromAnalysis } from './analyzed-build.js';
import { buildFromPipeline } from './pipeline/pipeline-build.js';

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
}

export type RecordedBuild = Build & { settings?: SourceBuildResult['settings'] };

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
    const ctx: SourceBuildContext = {
      engine: this.deps.engine,
      store: this.deps.store,
      app,
      tarFile,
      files,
      tag: `slipway/${app}:build-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`,
      ...(opts.dockerfile ? { dockerfile: opts.dockerfile } : {}),
      buildArgs: opts.buildArgs ?? {},
      options: opts.options ?? {},
      labels: { 'slipway.app': app, 'slipway.managed': 'true' },
      emit: opts.emit,
      ...(opts.signal ? { signal: opts.signal } : {}),
    };
    let result: SourceBuildResult;
    if (files.has('build.yml') && !opts.dockerfile) result = await buildFromPipeline(ctx);
    else if (files.has(opts.dockerfile ?? 'Dockerfile')) result = await buildDockerfile(ctx);
    else if (opts.dockerfile) {
      throw new SlipwayError('NO_DOCKERFILE', `no ${opts.dockerfile} in the deployed directory`, { hint: 'check the --dockerfile path (relative to the directory)' });
    } else result = await buildFromAnalysis(ctx);
    const build = this.deps.store.releases.addBuild({
      app,
      imageId: result.imageId,
      imageRef: result.imageRef,
      source: { kind: 'dir', description: opts.description },
      procfile: result.procfile,
      createdAt: new Date().toISOString(),
    });
    return { ...build, ...(result.settings ? { settings: result.settings } : {}) };
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
