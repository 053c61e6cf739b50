import { createReadStream } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { once } from 'node:events';
import { join, posix } from 'node:path';
import { Parser, Unpack, type ReadEntry } from 'tar';
import { SlipwayError, isSlipwayError } from '../core/errors.js';
import { abortError } from '../core/abort.js';
import {
  ArchiveChecker,
  compressedMagic,
  isTarHeaderBlock,
  type ArchiveLimits,
  type MemberKind,
} from './archive-check.js';
import { parentOf, resolveInside } from './safe-path.js';

/**
 * Tar archives read in-process with node-tar (never a `tar` child process: no member name can become
 * an option), every member checked by ArchiveChecker first. Extraction: node-tar writes directories,
 * files and hard links (absolute and `..` names never get that far); symbolic links are created by
 * Slipway afterwards, verbatim, so no later entry can be written through one; setuid/setgid bits
 * are dropped and owners are never taken from the archive.
 */

export interface ArchiveOptions {
  limits: ArchiveLimits;
  /** What the archive is, for messages ("the uploaded source", `artifact /out/app`). */
  what: string;
  signal?: AbortSignal;
}

type TarParser = Parser | Unpack;

const PROBLEM_WARNINGS = new Set([
  'TAR_ENTRY_ERROR',
  'TAR_ENTRY_INVALID',
  'TAR_BAD_ARCHIVE',
  'TAR_ABORT',
  'TAR_ENTRY_UNSUPPORTED',
]);

function notTar(what: string, reason: string): SlipwayError {
  return new SlipwayError('INVALID_INPUT', `${what} is not a tar archive (${reason})`, {
    hint:
      'upload a directory with `slipway deploy DIR` or `slipway ' +
      'build DIR` (a tar stream, optionally gzip-compressed once)',
  });
}

/**
 * Checks the first block of a tar stream (pure): a real tar header, not a compressed layer node-tar
 * would open by itself. Returns true for an empty archive (it starts with an end-of-archive block).
 */
export function assertPlainTar(first: Buffer, what: string): boolean {
  const magic = compressedMagic(first);
  if (magic)
    throw notTar(what, `it is ${magic}-compressed data; an upload is decompressed once, by the server, from gzip only`);
  if (first.length === 0) throw notTar(what, 'it is empty');
  if (first.length >= 1024 && first.subarray(0, 1024).every((b) => b === 0)) return true;
  if (!isTarHeaderBlock(first))
    throw notTar(what, first.length < 512 ? 'it is shorter than one tar block' : 'its first block is not a tar header');
  return false;
}

/**
 * Feeds a tar byte stream to a node-tar parser, chunk by chunk: the first block is checked, writes
 * honour the parser's backpressure, and a member the checker refused stops the feed at once.
 */
export class TarFeed {
  readonly checker: ArchiveChecker;
  private readonly problems: string[] = [];
  private readonly closed: Promise<unknown>;
  private head: Buffer | undefined = Buffer.alloc(0);
  private empty = false;
  private failure: unknown;

  constructor(
    private readonly opts: ArchiveOptions,
    makeParser: (filter: (path: string, entry: unknown) => boolean) => TarParser,
    onKeep: (entry: ReadEntry, path: string, kind: MemberKind) => boolean = () => false,
  ) {
    this.checker = new ArchiveChecker(opts.limits, opts.what);
    const parser = makeParser((_path, entry) => {
      if (this.failure) return false;
      try {
        const decision = this.checker.check(entry as ReadEntry);
        return decision.keep ? onKeep(entry as ReadEntry, decision.path, decision.kind) : false;
      } catch (err) {
        this.failure = err;
        return false;
      }
    });
    this.parser = parser;
    parser.on('warn', (code: string, message: string | Error) => {
      if (PROBLEM_WARNINGS.has(code)) this.problems.push(typeof message === 'string' ? message : message.message);
    });
    this.closed = once(parser, 'close');
    this.closed.catch(() => undefined);
  }

  private readonly parser: TarParser;

  /** Throws the checker's error (a refused member, a limit) as soon as there is one. */
  async write(chunk: Buffer): Promise<void> {
    if (this.opts.signal?.aborted) throw abortError(this.opts.signal);
    if (this.head) {
      this.head = Buffer.concat([this.head, chunk]);
      if (this.head.length < 1024) return;
      this.empty = assertPlainTar(this.head, this.opts.what);
      chunk = this.head;
      this.head = undefined;
    }
    if (!this.call(() => this.parser.write(chunk))) {
      await once(this.parser, 'drain').catch((err: unknown) => {
        throw this.tarError(err);
      });
    }
    if (this.failure) throw this.failure;
  }

  /** node-tar throws some warnings even when not strict (a truncated archive): they become INVALID_INPUT. */
  private call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw this.tarError(err);
    }
  }

  private tarError(err: unknown): unknown {
    if (this.failure) return this.failure;
    if (isSlipwayError(err)) return err;
    const code = (err as { code?: string }).code ?? '';
    const message = err instanceof Error ? err.message.replace(/^TAR_\w+: /, '') : String(err);
    if (code === 'TAR_BAD_ARCHIVE')
      return notTar(
        this.opts.what,
        /Truncated/.test(message) ? 'it ends in the middle of a member' : 'no valid tar entry',
      );
    return new SlipwayError('INVALID_INPUT', `${this.opts.what} could not be unpacked: ${message}`, {
      hint: 'upload the directory again with `slipway deploy DIR`; nothing was built',
      cause: err,
    });
  }

  /** Ends the stream; throws when the last members were refused or the archive is not valid tar. */
  async end(): Promise<ArchiveChecker> {
    // An empty archive (an empty directory) is valid: node-tar's "no entry" complaint is not a problem then.
    const emptyOk = (message: string) =>
      this.empty && this.checker.count === 0 && /Unrecognized archive format/.test(message);
    try {
      if (this.head) {
        // A stream shorter than two blocks: checked, then parsed like the rest.
        this.empty = assertPlainTar(this.head, this.opts.what);
        this.parser.write(this.head);
        this.head = undefined;
      }
      this.parser.end();
      await this.closed;
    } catch (err) {
      if (!emptyOk(err instanceof Error ? err.message : String(err))) throw this.tarError(err);
    }
    if (this.failure) throw this.failure;
    const first = this.problems.filter((p) => !emptyOk(p))[0];
    if (first !== undefined) {
      if (/Unrecognized archive format|Truncated input/.test(first))
        throw notTar(
          this.opts.what,
          first.includes('Truncated') ? 'it ends in the middle of a member' : 'no valid tar entry',
        );
      throw new SlipwayError('INVALID_INPUT', `${this.opts.what} could not be unpacked: ${first}`, {
        hint: 'upload the directory again with `slipway deploy DIR`; nothing was built',
        details: { problems: this.problems.slice(0, 5) },
      });
    }
    return this.checker;
  }

  async feedAll(source: AsyncIterable<Buffer> | string): Promise<ArchiveChecker> {
    for await (const chunk of typeof source === 'string' ? createReadStream(source) : source)
      await this.write(chunk as Buffer);
    return this.end();
  }
}

/** A feed that checks every member without writing anything (bodies are skipped); write chunks, then end(). */
export function scanFeed(opts: ArchiveOptions): TarFeed {
  return new TarFeed(opts, (filter) => new Parser({ filter }));
}

/**
 * Extracts an archive into `dir` (created when missing): members checked, symbolic links created
 * last and verbatim, setuid/setgid dropped, owners never taken from the archive. Returns the checker
 * (its `files()` are the stored non-directory paths).
 */
export async function extractArchive(
  source: AsyncIterable<Buffer> | string,
  dir: string,
  opts: ArchiveOptions,
): Promise<ArchiveChecker> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const links: Array<{ path: string; target: string }> = [];
  const keep = (entry: ReadEntry, path: string, kind: MemberKind) => {
    if (kind === 'symlink') {
      links.push({ path, target: entry.linkpath ?? '' });
      return false;
    }
    // No setuid/setgid from an upload; directories stay traversable and removable by the server.
    if (typeof entry.mode === 'number') entry.mode = (entry.mode & 0o1777) | (kind === 'dir' ? 0o700 : 0);
    return true;
  };
  const feed = new TarFeed(
    opts,
    (filter) => new Unpack({ cwd: dir, filter, preserveOwner: false, maxDepth: 1024 }),
    keep,
  );
  let checker: ArchiveChecker;
  try {
    checker = await feed.feedAll(source);
  } catch (err) {
    if (isSlipwayError(err)) throw err;
    throw new SlipwayError('INVALID_INPUT', `${opts.what} could not be unpacked`, {
      cause: err,
      hint: 'upload the directory again with `slipway deploy DIR`; nothing was built',
    });
  }
  for (const link of links) {
    // Parents are real directories here: nothing before this loop created a link, and the checker
    // refused any member stored below a link.
    const parent = await resolveInside(dir, parentOf(link.path), { what: opts.what });
    await mkdir(parent, { recursive: true });
    await symlink(link.target, join(parent, posix.basename(link.path)));
  }
  return checker;
}
