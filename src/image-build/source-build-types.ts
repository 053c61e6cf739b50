import type { ContainerEngine } from '../engine/port.js';
import type { Store } from '../store/store.js';
import type { AppSettings } from '../core/types.js';
import type { EventSink } from '../core/events.js';
import type { ArchiveLimits } from './archive-check.js';
import type { BuildWorkspace } from './pipeline/workspace.js';

/** Everything a source build strategy (Dockerfile, build.yml pipeline, analyzed source) gets. */
export interface SourceBuildContext {
  engine: ContainerEngine;
  store: Store;
  app: string;
  /** The build's private directories; `workspace.src` holds the extracted, checked upload. */
  workspace: BuildWorkspace;
  /** Non-directory members of the upload (files and links), relative, without a leading "./". */
  files: Set<string>;
  /** Limits for archives the build reads (the upload's, also applied to artifacts). */
  limits: ArchiveLimits;
  /** Image tag to produce, e.g. `slipway/shop:build-…`. */
  tag: string;
  dockerfile?: string;
  buildArgs: Record<string, string>;
  /** Build options given on the command line (e.g. runtime, baseImage, caCert, secrets, env). */
  options: Record<string, string>;
  /** Labels every image Slipway keeps must carry. */
  labels: Record<string, string>;
  emit: EventSink;
  signal?: AbortSignal;
}

export interface SourceBuildResult {
  imageId: string;
  imageRef: string;
  /** Process types → commands (Procfile / slipway.yml), `release` included; null = image CMD as web. */
  procfile: Record<string, string> | null;
  /** Settings the source asks for (e.g. slipway.yml health check), applied to the app before the rollout. */
  settings?: Partial<AppSettings>;
  /** Extra facts recorded with the build (strategy, steps, digests…). */
  record?: Record<string, unknown>;
}
