import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SlipwayError } from '../core/errors.js';
import { validateAppName } from '../core/names.js';
import { hookScript } from './hook-script.js';

const run = promisify(execFile);

/** Runs git with a fixed argv (never a shell); system and global config are not read. */
export function git(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
  return run('git', args, {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GIT_CONFIG_NOSYSTEM: '1', HOME: '/nonexistent', ...env },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 120_000,
  });
}

/**
 * The bare repositories of git push, one per app, under `<SLIPWAY_HOME>/git/<app>.git`, made on first use
 * with Slipway's pre-receive hook. The app name is validated before it becomes part of a path.
 */
export class GitRepos {
  constructor(
    readonly root: string,
    private readonly maxPackBytes: number,
  ) {}

  path(app: string): string {
    return join(this.root, `${validateAppName(app)}.git`);
  }

  /** Set-ups under way: concurrent requests for one app wait for the same one (no two `git init`s race). */
  private readonly ready = new Map<string, Promise<string>>();

  /** The repository of `app`, created (bare, with the hook) when it does not exist yet; the hook is rewritten. */
  ensure(app: string): Promise<string> {
    const dir = this.path(app);
    const running = this.ready.get(dir);
    if (running) return running;
    const made = this.setUp(dir).finally(() => this.ready.delete(dir));
    this.ready.set(dir, made);
    return made;
  }

  private async setUp(dir: string): Promise<string> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    if (!existsSync(join(dir, 'HEAD'))) {
      await rm(dir, { recursive: true, force: true });
      await git(['init', '--bare', '-q', '--', dir]);
      await rm(join(dir, 'hooks'), { recursive: true, force: true });
    }
    const config = async (key: string, value: string) => git(['config', '--file', join(dir, 'config'), key, value]);
    await config('http.receivepack', 'true');
    await config('http.uploadpack', 'true');
    // Shallow clones may push: the pushed commit's tree is complete, which is all a build needs.
    await config('receive.shallowUpdate', 'true');
    await config('receive.maxInputSize', String(this.maxPackBytes));
    await config('receive.denyDeletes', 'false');
    await mkdir(join(dir, 'hooks'), { recursive: true });
    await writeFile(join(dir, 'hooks', 'pre-receive'), hookScript(process.execPath), { mode: 0o755 });
    await chmod(join(dir, 'hooks', 'pre-receive'), 0o755);
    return dir;
  }

  async remove(app: string): Promise<void> {
    this.ready.delete(this.path(app));
    await rm(this.path(app), { recursive: true, force: true });
  }

  /** apps:rename: the repository moves with the app (nothing to do when it never got a push). */
  async rename(from: string, to: string): Promise<void> {
    const source = this.path(from);
    if (!existsSync(source)) return;
    const target = this.path(to);
    if (existsSync(target))
      throw new SlipwayError('APP_EXISTS', `a git repository for ${to} exists already`, { hint: 'remove it first' });
    this.ready.delete(source);
    await rename(source, target);
  }
}
