import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SlipwayError } from '../core/errors.js';

const run = promisify(execFile);

/** Member names of a tar archive exactly as stored (e.g. "./Dockerfile"). */
async function tarMembers(tarFile: string): Promise<string[]> {
  try {
    const { stdout } = await run('tar', ['-tf', tarFile], { maxBuffer: 64 * 1024 * 1024 });
    return stdout.split('\n').filter(Boolean);
  } catch (cause) {
    throw new SlipwayError('INVALID_INPUT', 'the uploaded source is not a readable tar archive', { cause, hint: 'upload the directory with `slipway deploy DIR`' });
  }
}

const normalise = (name: string) => name.replace(/^\.\//, '');

/** Names of the files in a tar archive, without a leading "./". */
export async function listTarFiles(tarFile: string): Promise<string[]> {
  return (await tarMembers(tarFile)).map(normalise);
}

/**
 * Reads one file from a tar archive as text. Uploads store members as `./name` (the CLI tars `.`),
 * others as `name`: both spellings are tried directly, so the archive is not listed again.
 */
export async function readTarFile(tarFile: string, name: string): Promise<string> {
  for (const member of [`./${name}`, name]) {
    try {
      return (await run('tar', ['-xOf', tarFile, member], { maxBuffer: 16 * 1024 * 1024 })).stdout;
    } catch {
      // not stored under this spelling: try the next one
    }
  }
  throw new SlipwayError('NOT_FOUND', `${name} is not in the uploaded source`);
}
