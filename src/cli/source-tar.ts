import { Readable } from 'node:stream';
import { contextEntries, dockerignoreRules, packEntries, type ExtraEntry } from '../image-build/build-context.js';

/** Files Slipway itself reads from an upload: always sent, whatever .dockerignore says. */
const ALWAYS_SENT = ['Dockerfile', '.dockerignore', 'Procfile', 'build.yml', 'slipway.yml'];

/**
 * The directory as a gzip-compressed tar stream for an upload, packed in-process (no `tar` child
 * process; symbolic links stored as links, never followed), without what its .dockerignore
 * excludes (as the `docker` CLI does on its side) and without `.git`. `extra` entries (the
 * `--ca-cert` certificate) are added under Slipway's reserved names.
 */
export function sourceTar(dir: string, extra: ExtraEntry[] = []): Readable {
  const stream = (async () => {
    const entries = await contextEntries(dir, await dockerignoreRules(dir, '.git'), new Set(ALWAYS_SENT));
    return packEntries(dir, entries, { gzip: true, extra });
  })();
  return lazy(stream);
}

/** A Readable over one that is still being made (the directory walk runs before the first byte). */
function lazy(source: Promise<Readable>): Readable {
  return Readable.from(
    (async function* () {
      for await (const chunk of await source) yield chunk as Buffer;
    })(),
  );
}
