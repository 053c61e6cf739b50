import { spawn } from 'node:child_process';
import { mkdir, rm, cp, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { SlipwayError } from '../../core/errors.js';

/**
 * A build's directories, all under one root named by the build id (parallel builds never share):
 *   src/               the uploaded source, extracted once
 *   steps/<step>/      each step's build context: the source + its dependencies' artifacts
 *   artifacts/<step>/  what was copied out of each step's image
 */
export class BuildWorkspace {
  readonly root: string;

  constructor(parent: string, readonly buildId: string) {
    this.root = join(parent, `slipway-build-${buildId}`);
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

  async extractSource(tarFile: string): Promise<void> {
    await mkdir(this.src, { recursive: true });
    await runTar(['-x', '-f', tarFile, '-C', this.src]);
  }

  /** A fresh copy of the source for one step. */
  async prepareStep(step: string): Promise<string> {
    const dir = this.stepDir(step);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dirname(dir), { recursive: true });
    await cp(this.src, dir, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
    return dir;
  }

  async readStepFile(step: string, file: string): Promise<string> {
    return readFile(join(this.stepDir(step), file), 'utf8');
  }

  async writeStepFile(step: string, file: string, text: string): Promise<void> {
    await writeFile(join(this.stepDir(step), file), text);
  }

  /** The step's context as a tar stream for the engine. */
  contextStream(step: string): Readable {
    const child = spawn('tar', ['-C', this.stepDir(step), '-c', '.'], { stdio: ['ignore', 'pipe', 'ignore'] });
    return child.stdout;
  }

  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Runs tar; stdin (when given) is piped in from an async byte source. */
export function runTar(args: string[], input?: AsyncIterable<Buffer>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, { stdio: [input ? 'pipe' : 'ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new SlipwayError('BUILD_FAILED', `tar ${args[0]} failed: ${stderr.trim() || `exit ${code}`}`)),
    );
    if (input) {
      const stdin = child.stdin!;
      stdin.on('error', () => undefined);
      void (async () => {
        try {
          for await (const chunk of input) if (!stdin.write(chunk)) await new Promise((r) => stdin.once('drain', r));
          stdin.end();
        } catch (err) {
          stdin.destroy();
          reject(err);
        }
      })();
    }
  });
}
