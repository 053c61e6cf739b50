import { createHash, randomBytes } from 'node:crypto';
import { SlipwayError, toSlipwayError } from '../core/errors.js';
import type { EventSink, SlipwayEvent } from '../core/events.js';
import type { ContainerEngine } from '../engine/port.js';
import type { Store } from '../store/store.js';
import type { Build } from '../core/types.js';
import type { SourceInfo } from './source-info.js';
import type { SourceBuildResult } from './source-build-types.js';
import { stampImage } from './image-stamp.js';

/** Build-record inputs a client sends with a source upload (issue 5). */
export interface BuildInputs {
  source?: SourceInfo;
  /** Build secrets by name; only build.yml steps that list them receive them. */
  secrets?: Record<string, string>;
  /** `${VAR}` values for build.yml. */
  env?: Record<string, string>;
  /** The pipeline file inside the source (default build.yml). */
  buildFile?: string;
  startedBy?: string;
  /** Extra tags for the built image (`--tag IMAGE:TAG`). */
  tags?: string[];
}

const MAX_LOG = 2 * 1024 * 1024;

export function newBuildId(): string {
  return `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Labels the kept image carries so it can be traced to its build and commit. */
export function sourceLabels(buildId: string, source: SourceInfo, digest: string | undefined): Record<string, string> {
  return {
    'slipway.build': buildId,
    ...(source.commit
      ? { 'org.opencontainers.image.revision': source.commit, 'slipway.source.commit': source.commit }
      : {}),
    ...(source.branch ? { 'slipway.source.branch': source.branch } : {}),
    ...(source.dirty !== undefined ? { 'slipway.source.dirty': String(source.dirty) } : {}),
    ...(source.contentHash ? { 'slipway.source.hash': source.contentHash } : {}),
    ...(digest ? { 'slipway.build.digest': digest } : {}),
  };
}

/** One source build being recorded: its record row, its kept log, its labels. */
export class BuildRecording {
  private log = '';
  readonly emit: EventSink;

  private constructor(
    private readonly deps: { store: Store; engine: ContainerEngine },
    readonly id: string,
    readonly app: string,
    readonly labels: Record<string, string>,
    private readonly digest: string | undefined,
    private readonly inputs: BuildInputs,
    emit: EventSink,
  ) {
    this.emit = (event) => {
      this.keep(event);
      emit(event);
    };
  }

  /** Writes the `running` record; `buildFileText` is the Dockerfile or build.yml whose digest is kept. */
  static start(
    deps: { store: Store; engine: ContainerEngine },
    app: string,
    id: string,
    buildFileText: string | undefined,
    description: string,
    inputs: BuildInputs,
    emit: EventSink,
  ): BuildRecording {
    const digest =
      buildFileText === undefined ? undefined : `sha256:${createHash('sha256').update(buildFileText).digest('hex')}`;
    const source = { description, ...(inputs.source ?? {}) };
    deps.store.buildRecords.start({
      id,
      app,
      source,
      startedBy: inputs.startedBy ?? 'api',
      startedAt: new Date().toISOString(),
    });
    return new BuildRecording(deps, id, app, sourceLabels(id, inputs.source ?? {}, digest), digest, inputs, emit);
  }

  /** Stamps the build's labels (id, commit, digest) on the finished image, under the same tag. */
  async stamp(result: SourceBuildResult, signal?: AbortSignal): Promise<SourceBuildResult> {
    const imageId = await stampImage(this.deps.engine, result.imageId, result.imageRef, this.labels, signal);
    return { ...result, imageId };
  }

  /** Runs the build; records success (and applies extra tags) or failure. */
  async run<T extends { build: Build; result: SourceBuildResult }>(fn: () => Promise<T>): Promise<T> {
    let out: T;
    try {
      out = await fn();
      for (const tag of this.inputs.tags ?? []) {
        if (!this.deps.engine.tagImage) throw new SlipwayError('INTERNAL', 'this container engine cannot tag images');
        await this.deps.engine.tagImage(out.result.imageId, tag);
        this.emit({ type: 'info', text: `tagged ${tag}`, at: new Date().toISOString() });
      }
    } catch (err) {
      const error = toSlipwayError(err);
      const steps = (error.details?.['steps'] as unknown[] | undefined) ?? [];
      this.deps.store.buildRecords.fail(this.id, {
        error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) },
        ...(this.digest ? { digest: this.digest } : {}),
        steps,
        log: this.log,
        finishedAt: new Date().toISOString(),
      });
      throw err;
    }
    const record = out.result.record ?? {};
    this.deps.store.buildRecords.finish(this.id, {
      buildId: out.build.id,
      imageId: out.result.imageId,
      imageRef: out.result.imageRef,
      strategy: typeof record['strategy'] === 'string' ? record['strategy'] : 'dockerfile',
      ...(this.digest ? { digest: this.digest } : {}),
      steps: Array.isArray(record['steps']) ? record['steps'] : [],
      log: this.log,
      finishedAt: new Date().toISOString(),
    });
    return out;
  }

  private keep(event: SlipwayEvent): void {
    if (this.log.length > MAX_LOG) return;
    if (event.type === 'output') this.log += `${event.text}\n`;
    else if (event.type === 'info') this.log += `-- ${event.text}\n`;
    else if (event.type === 'stage-start') this.log += `>> ${event.label}\n`;
    else
      this.log +=
        `<< ${event.label} ${event.ok ? 'ok' : 'failed'} ` + `(${event.ms} ms)${event.note ? `: ${event.note}` : ''}\n`;
  }
}
