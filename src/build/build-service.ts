import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { ContainerEngine } from '../engine/port.js';
import type { Store } from '../store/store.js';
import type { Build } from '../core/types.js';
import { SlipwayError } from '../core/errors.js';
import { stage, type EventSink } from '../core/events.js';
import { parseProcfile, procfileProcesses } from '../config/procfile.js';
import { listTarFiles, readTarFile } from './tar-inspect.js';

export interface SourceBuildOptions {
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  /** Human description of where the source came from (a directory path, a commit). */
  description: string;
  emit: EventSink;
  signal?: AbortSignal;
}

/** Turns a prebuilt image or an uploaded source archive into a recorded build. */
export class BuildService {
  constructor(private readonly deps: { engine: ContainerEngine; store: Store }) {}

  async fromImage(app: string, image: string, emit: EventSink, signal?: AbortSignal): Promise<Build> {
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

  /** Builds the archive's Dockerfile. The Procfile (when present) is validated before anything builds. */
  async fromSource(app: string, tarFile: string, opts: SourceBuildOptions): Promise<Build> {
    const files = new Set(await listTarFiles(tarFile));
    const dockerfile = opts.dockerfile ?? 'Dockerfile';
    if (!files.has(dockerfile)) {
      throw new SlipwayError('NO_DOCKERFILE', `no ${dockerfile} in the deployed directory`, {
        hint: 'add a Dockerfile to the directory (or name another one with --dockerfile), or deploy a prebuilt image with --image',
      });
    }
    const procfile = files.has('Procfile') ? procfileProcesses(parseProcfile(await readTarFile(tarFile, 'Procfile'))) : null;
    const tag = `slipway/${app}:build-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
    const { imageId } = await stage(
      opts.emit,
      'build',
      `build image ${tag}`,
      () =>
        this.deps.engine.buildImage({
          context: createReadStream(tarFile),
          tag,
          ...(opts.dockerfile ? { dockerfile: opts.dockerfile } : {}),
          ...(opts.buildArgs ? { buildArgs: opts.buildArgs } : {}),
          labels: { 'slipway.app': app, 'slipway.managed': 'true' },
          ...(opts.signal ? { signal: opts.signal } : {}),
          onOutput: (text) => opts.emit({ type: 'output', source: 'build', text, at: new Date().toISOString() }),
        }),
      (r) => r.imageId.slice(0, 19),
    );
    return this.deps.store.releases.addBuild({
      app,
      imageId,
      imageRef: tag,
      source: { kind: 'dir', description: opts.description },
      procfile,
      createdAt: new Date().toISOString(),
    });
  }
}
