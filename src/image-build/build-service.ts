import { dirname } from 'node:path';
import type { ContainerEngine } from '../engine/port.js';
import type { Store } from '../store/store.js';
import { LABELS, type Build } from '../core/types.js';
import { SlipwayError } from '../core/errors.js';
import { stage, type EventSink } from '../core/events.js';
import { readServiceDefinition } from './service-definition.js';
import { DEFAULT_UPLOAD_LIMITS } from '../config/environment.js';
import type { ArchiveLimits } from './archive-check.js';
import { buildContextStream } from './build-context.js';
import { BuildWorkspace } from './pipeline/workspace.js';
import { insideRelative } from './safe-path.js';
import { readSourceFile } from './source-files.js';
import { UPLOAD_CA_ENTRY } from './upload-ca.js';
import type { SourceBuildContext, SourceBuildResult } from './source-build-types.js';
import { buildFromAnalysis } from './analyzed-build.js';
import { checkBuildOptionValues } from './remembered-build-options.js';
import { buildFromPipeline } from './pipeline/pipeline-build.js';
import type { ImagePuller } from '../registry/image-puller.js';
import { parseImageReference } from '../registry/registry-names.js';
import { BuildRecording, newBuildId, type BuildInputs } from './build-recording.js';

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
  /** Entry count and expanded size the upload (and artifacts) may have; default DEFAULT_UPLOAD_LIMITS. */
  limits?: ArchiveLimits;
  /** Told the build record's id as soon as it is chosen (git push follows the build by it). */
  onBuildRecord?: (id: string) => void;
}

export type RecordedBuild = Build & { settings?: SourceBuildResult['settings']; buildRecord?: string };

/** Turns a prebuilt image or an uploaded source archive into a recorded build. */
export class BuildService {
  constructor(private readonly deps: { engine: ContainerEngine; store: Store; puller?: ImagePuller }) {}

  async fromImage(
    app: string,
    image: string,
    emit: EventSink,
    signal?: AbortSignal,
    ownImagesOnly = false,
  ): Promise<RecordedBuild> {
    // An image named with its registry is pulled every time (a tag may have moved) and pinned by digest.
    if (this.deps.puller && parseImageReference(image).server) return this.fromRegistry(app, image, emit, signal);
    const info = await stage(emit, 'build', `inspect image ${image}`, async () => {
      const found = await this.deps.engine.inspectImage(image, signal);
      if (found && ownImagesOnly && !this.deps.store.releases.hasImageId(app, found.id))
        throw new SlipwayError('FORBIDDEN', `image "${image}" is not one of ${app}'s builds`, {
          hint: 'deploy an image from a registry (REGISTRY/NAME:TAG), or ask an admin to deploy this one',
          details: { missing: 'the admin role (to deploy an image this app did not build)' },
        });
      if (!found) {
        throw new SlipwayError('IMAGE_NOT_FOUND', `image "${image}" does not exist on this host`, {
          hint:
            'build or load it first (`docker images` lists what is ' +
            'here), or deploy a directory with `slipway deploy DIR`',
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
   * The build's image is on this host, pulled again by its pinned digest when it was a registry image that
   * image retention removed (the same bytes: a pull that gives another image id is refused). False when
   * it is gone and cannot be pulled.
   */
  async ensureImage(build: Build, emit: EventSink, signal?: AbortSignal): Promise<boolean> {
    if (await this.deps.engine.inspectImage(build.imageRef, signal)) return true;
    const pinned = build.source.kind === 'image' ? build.source.pinned : undefined;
    if (!pinned || !this.deps.puller) return false;
    const pulled = await this.deps.puller.pull(pinned, emit, signal);
    if (pulled.id !== build.imageId)
      throw new SlipwayError('REGISTRY_FAILED', `${pinned} is no longer the image that was deployed`, {
        hint: 'the registry gave other bytes for that digest; deploy the image again',
        details: { expected: build.imageId, got: pulled.id },
      });
    return true;
  }

  private async fromRegistry(
    app: string,
    image: string,
    emit: EventSink,
    signal?: AbortSignal,
  ): Promise<RecordedBuild> {
    const pulled = await this.deps.puller!.pull(image, emit, signal);
    const { releases } = this.deps.store;
    const before = releases
      .list(app)
      .map((r) => releases.build(r.buildId).source)
      .find((s) => s.kind === 'image' && s.image === image && s.pinned);
    const was = before?.kind === 'image' ? before.pinned : undefined;
    const at = new Date().toISOString();
    if (was && was !== pulled.pinned)
      emit({ type: 'info', text: `tag ${image} moved: ${digestOf(was)} before, ${digestOf(pulled.pinned)} now`, at });
    emit({ type: 'info', text: `pinned ${pulled.pinned}`, at });
    return this.deps.store.releases.addBuild({
      app,
      imageId: pulled.id,
      imageRef: pulled.id,
      source: { kind: 'image', image, pinned: pulled.pinned },
      procfile: null,
      createdAt: at,
    });
  }

  /**
   * Builds an uploaded directory: build.yml when present, else its Dockerfile, else from source
   * analysis. The upload is extracted once into the build's private workspace (every member
   * checked, see archive-extract.ts) next to it in SLIPWAY_HOME/tmp; everything after that reads
   * the extracted copy through safe-path.ts. The Procfile (when present) is validated before
   * anything builds; an upload that is refused leaves no build record.
   */
  async fromSource(app: string, tarFile: string, opts: SourceBuildOptions): Promise<RecordedBuild> {
    const options = checkBuildOptions(opts.options ?? {});
    const dockerfileOption =
      opts.dockerfile === undefined ? undefined : insideRelative(opts.dockerfile, '--dockerfile');
    const inputs: BuildInputs = { ...(opts.actor ? { startedBy: opts.actor } : {}), ...opts.build };
    const buildFileOption = inputs.buildFile === undefined ? undefined : insideRelative(inputs.buildFile, '--file');
    const limits = opts.limits ?? DEFAULT_UPLOAD_LIMITS;
    const id = newBuildId();
    opts.onBuildRecord?.(id);
    const workspace = new BuildWorkspace(dirname(tarFile), id);
    try {
      const { files, caCert } = await workspace.extractSource(tarFile, limits, opts.signal);
      const pipelineFile = buildFileOption ?? 'build.yml';
      const pipeline = files.has(pipelineFile) && !dockerfileOption;
      if (buildFileOption && !files.has(buildFileOption)) {
        throw new SlipwayError('NO_DOCKERFILE', `no ${buildFileOption} in the source directory`, {
          hint: 'check the --file path (relative to the directory)',
        });
      }
      if (!pipeline && Object.keys(inputs.secrets ?? {}).length > 0) {
        throw new SlipwayError('INVALID_INPUT', 'build secrets are only given to build.yml steps that list them', {
          hint: 'add a build.yml whose steps list the secrets, or leave --secret out; nothing was built',
        });
      }
      const dockerfile = dockerfileOption ?? 'Dockerfile';
      const digestOf = pipeline ? pipelineFile : files.has(dockerfile) ? dockerfile : undefined;
      const digestText = digestOf === undefined ? undefined : await readSourceFile(workspace.src, digestOf);
      const rec = BuildRecording.start(this.deps, app, id, digestText, opts.description, inputs, opts.emit);
      if (caCert !== undefined && (pipeline || files.has(dockerfile))) {
        rec.emit({
          type: 'info',
          text:
            'warning: the --ca-cert certificate is only used by Dockerfiles Slipway ' +
            `generates; this build uses ${pipeline ? pipelineFile : dockerfile} as it is`,
          at: new Date().toISOString(),
        });
      }
      const ctx: SourceBuildContext & {
        secrets: Record<string, string>;
        env: Record<string, string>;
        buildFile: string;
      } = {
        engine: this.deps.engine,
        store: this.deps.store,
        app,
        workspace,
        files,
        limits,
        tag: `slipway/${app}:build-${rec.id}`,
        ...(dockerfileOption ? { dockerfile: dockerfileOption } : {}),
        buildArgs: opts.buildArgs ?? {},
        options: { ...options, ...(caCert !== undefined ? { caCert } : {}) },
        // Per-build labels are stamped after the build (rec.stamp), so the layer cache still works.
        labels: { [LABELS.app]: app, [LABELS.managed]: 'true' },
        emit: rec.emit,
        ...(opts.signal ? { signal: opts.signal } : {}),
        secrets: inputs.secrets ?? {},
        env: inputs.env ?? {},
        buildFile: pipelineFile,
      };
      const { build, result } = await rec.run(async () => {
        let result: SourceBuildResult;
        if (pipeline) result = await buildFromPipeline(ctx);
        else if (files.has(dockerfile)) result = await buildDockerfile(ctx, dockerfile);
        else if (dockerfileOption) {
          throw new SlipwayError('NO_DOCKERFILE', `no ${dockerfileOption} in the deployed directory`, {
            hint: 'check the --dockerfile path (relative to the directory)',
          });
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
    } finally {
      await workspace.remove().catch(() => undefined);
    }
  }
}

/** Strategy options a client may send (`option=KEY=VALUE`); anything else is refused, the CA certificate above all. */
const OPTION_KEYS = new Set(['runtime', 'baseImage', 'path']);

export function checkBuildOptions(options: Record<string, string>): Record<string, string> {
  for (const key of Object.keys(options)) {
    if (key === 'caCert') {
      throw new SlipwayError(
        'INVALID_INPUT',
        'the CA certificate is not a build option: it travels inside the upload',
        {
          hint: `use \`slipway deploy --ca-cert FILE\` (the CLI adds it to the upload as ${UPLOAD_CA_ENTRY})`,
        },
      );
    }
    if (!OPTION_KEYS.has(key))
      throw new SlipwayError('INVALID_INPUT', `unknown build option ${JSON.stringify(key.slice(0, 40))}`, {
        hint: `build options: ${[...OPTION_KEYS].join(', ')}`,
      });
  }
  checkBuildOptionValues(options);
  return options;
}

/** The plain strategy: the directory's own Dockerfile, built by the engine from a context Slipway packs. */
async function buildDockerfile(ctx: SourceBuildContext, dockerfile: string): Promise<SourceBuildResult> {
  // Procfile and slipway.yml (processes, release, port, health check), validated before anything builds.
  const { procfile, settings } = await readServiceDefinition(ctx.workspace.src, ctx.files);
  const context = await buildContextStream(ctx.workspace.src, [dockerfile, '.dockerignore']);
  const { imageId } = await stage(
    ctx.emit,
    'build',
    `build image ${ctx.tag}`,
    () =>
      ctx.engine.buildImage({
        context,
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

/** `sha256:0123456789ab` of `NAME@sha256:…` */
function digestOf(pinned: string): string {
  return pinned.slice(pinned.indexOf('@') + 1, pinned.indexOf('@') + 20);
}
