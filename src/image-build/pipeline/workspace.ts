import { mkdir, rm, cp } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { SlipwayError } from '../../core/errors.js';
import type { ArchiveLimits } from '../archive-check.js';
import { extractArchive } from '../archive-extract.js';
import { contextEntries, packEntries } from '../build-context.js';
import { readTextInside, writeFileInside } from '../safe-path.js';
import { takeUploadedCaCert } from '../upload-ca.js';

/** The most a Dockerfile (or build file) Slipway reads and rewrites may be. */
export const MAX_BUILD_FILE_BYTES = 1024 * 1024;

/** Prefix of every build's directory under SLIPWAY_HOME/tmp (start-up recovery removes leftovers). */
export const WORKSPACE_PREFIX = 'slipway-build-';

/** What an extracted upload holds. */
export interface ExtractedSource {
  /** Non-directory members (files, links), relative, without the reserved .slipway-build/ entries. */
  files: Set<string>;
  /** The PEM text of `deploy --ca-cert` (the reserved upload entry), validated. */
  caCert?: string;
}

/**
 * A build's directories, all under one root named by the build id (parallel builds never share),
 * next to the upload in SLIPWAY_HOME/tmp:
 *   src/               the uploaded source, extracted once (checked, links kept verbatim)
 *   steps/<step>/      each pipeline step's build context: the source + its dependencies' artifacts
 *   artifacts/<step>/  what was copied out of each step's image
 */
export class BuildWorkspace {
  readonly root: string;

  constructor(
    parent: string,
    readonly buildId: string,
  ) {
    this.root = join(parent, `${WORKSPACE_PREFIX}${buildId}`);
  }

  get src(): string {
    return join(this.root, 'src');
  }

  stepDir(step: string): string {
    return join(this.root, 'steps', step);
  }

  artifactDir(step: string, index: number): string {
    return join(this.root, 'artifacts', step, String(index));
  }

  /** Extracts and checks the upload (see archive-extract.ts), then takes the reserved CA entry out. */
  async extractSource(tarFile: string, limits: ArchiveLimits, signal?: AbortSignal): Promise<ExtractedSource> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const checker = await extractArchive(tarFile, this.src, {
      limits,
      what: 'the uploaded source',
      ...(signal ? { signal } : {}),
    });
    const files = checker.files();
    const caCert = await takeUploadedCaCert(this.src, files);
    return { files, ...(caCert !== undefined ? { caCert } : {}) };
  }

  /** A fresh copy of the source for one step (links copied as links). */
  async prepareStep(step: string): Promise<string> {
    const dir = this.stepDir(step);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dirname(dir), { recursive: true });
    await cp(this.src, dir, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
    return dir;
  }

  /** A file of a step's context (links followed only inside it). */
  async readStepFile(step: string, file: string): Promise<string> {
    const text = await readTextInside(this.stepDir(step), file, {
      maxBytes: MAX_BUILD_FILE_BYTES,
      what: `the build context of step "${step}"`,
    });
    if (text === undefined)
      throw new SlipwayError('NO_DOCKERFILE', `step "${step}": ${file} is not a file in the build context`, {
        hint: `check steps.${step}.dockerfile in the build file`,
      });
    return text;
  }

  /** Replaces a file of a step's context (a link at that name is replaced, never written through). */
  async writeStepFile(step: string, file: string, text: string): Promise<void> {
    await writeFileInside(this.stepDir(step), file, text, { what: `the build context of step "${step}"` });
  }

  /** The step's context as a tar stream for the engine (packed in-process, links kept as links). */
  async contextStream(step: string): Promise<Readable> {
    const dir = this.stepDir(step);
    return packEntries(dir, await contextEntries(dir, [], new Set()));
  }

  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true, maxRetries: 3 });
  }
}
