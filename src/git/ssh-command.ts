import { SlipwayError } from '../core/errors.js';
import { validateAppName } from '../core/names.js';

export type GitService = 'git-receive-pack' | 'git-upload-pack';

/**
 * Parses the SSH exec command strictly: `git-receive-pack '<app>.git'` or `git-upload-pack '<app>.git'`
 * (a leading `/` accepted, the quotes optional as OpenSSH's git sends them). Nothing else, never a shell.
 */
export function parseGitCommand(command: string): { service: GitService; app: string } {
  const m = /^(git-receive-pack|git-upload-pack) (?:'(\/?[^'/]+)'|(\/?[^\s'/]+))$/.exec(command);
  const path = m ? (m[2] ?? m[3])! : '';
  const repo = /^\/?([^/]+)\.git$/.exec(path);
  if (!m || !repo)
    throw new SlipwayError('INVALID_INPUT', `this server runs only git push and fetch of <app>.git`, {
      hint: 'git push ssh://git@HOST:PORT/APP.git main',
    });
  return { service: m[1] as GitService, app: validateAppName(repo[1]) };
}
