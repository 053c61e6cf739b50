import { SlipwayError } from '../core/errors.js';
import { readTextInside, shownPath } from './safe-path.js';

/** The most a file Slipway itself reads from an upload may be (Procfile, slipway.yml, build.yml, a Dockerfile). */
export const MAX_SOURCE_FILE_BYTES = 1024 * 1024;

/**
 * Text of a file of the extracted upload that Slipway reads itself: links followed only inside the
 * upload, at most MAX_SOURCE_FILE_BYTES. A name that is listed but is no regular file (a dangling
 * link, a directory) is INVALID_INPUT.
 */
export async function readSourceFile(srcDir: string, rel: string): Promise<string> {
  const text = await readTextInside(srcDir, rel, { maxBytes: MAX_SOURCE_FILE_BYTES, what: 'the uploaded directory' });
  if (text === undefined) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `${shownPath(rel)} in the uploaded directory is not a regular file (a dangling link or a directory?)`,
      {
        hint: 'make it a regular file inside the directory',
        details: { path: rel },
      },
    );
  }
  return text;
}
