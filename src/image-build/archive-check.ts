import { SlipwayError } from '../core/errors.js';
import { formatBytes, normalizeRelative, relativePathProblem, shownPath } from './safe-path.js';

/**
 * The rules every member of an uploaded (or engine-produced) tar must follow, checked entry by entry
 * while the archive streams (pure, no I/O): names are relative, without `..`, NUL or overlong parts;
 * no entry goes through a symbolic link or a file stored before it; no name is stored twice; a hard
 * link points at a regular file stored earlier; devices and FIFOs are dropped; counts and sizes stay
 * under the limits. What passes can be extracted without touching anything outside the target.
 */

export interface ArchiveLimits {
  /** Sum of the members' sizes (and, for uploads, of the tar stream itself). */
  maxExpandedBytes: number;
  maxEntries: number;
}

/** The variable that raises each limit (named in the error's hint). */
export const LIMIT_VARIABLES = {
  received: 'SLIPWAY_UPLOAD_MAX_BYTES',
  expanded: 'SLIPWAY_UPLOAD_MAX_EXPANDED_BYTES',
  entries: 'SLIPWAY_UPLOAD_MAX_ENTRIES',
} as const;

export type MemberKind = 'file' | 'dir' | 'symlink' | 'hardlink';

/** What the checker needs of one tar header (node-tar's ReadEntry has these fields). */
export interface MemberHeader {
  path: string;
  /** node-tar's type name: File, OldFile, ContiguousFile, Directory, SymbolicLink, Link, CharacterDevice, … */
  type: string;
  size?: number;
  linkpath?: string;
}

export type MemberDecision =
  { keep: true; path: string; kind: MemberKind } | { keep: false; path: string; reason: string };

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
/** Entries that never reach the disk: node-tar handles the pax/GNU meta headers itself. */
const DROPPED_TYPES = new Set(['CharacterDevice', 'BlockDevice', 'FIFO', 'Socket']);

export function tooLarge(what: string, limit: number, variable: string): SlipwayError {
  return new SlipwayError(
    'PAYLOAD_TOO_LARGE',
    `the upload is too large: ${what} more than the limit of ${formatBytes(limit)}`,
    {
      hint: `leave big files out with .dockerignore, or raise the limit on the server with ${variable} (bytes)`,
      details: { limit, variable },
    },
  );
}

export function tooManyEntries(limit: number): SlipwayError {
  return new SlipwayError('PAYLOAD_TOO_LARGE', `the upload has more than ${limit} files and directories`, {
    hint:
      'leave generated directories (node_modules, build output) out with .dockerignore, ' +
      `or raise the limit on the server with ${LIMIT_VARIABLES.entries}`,
    details: { limit, variable: LIMIT_VARIABLES.entries },
  });
}

export function badMember(what: string, name: string, problem: string): SlipwayError {
  return new SlipwayError(
    'INVALID_INPUT',
    `${what} has a member ${shownPath(name)} that ${problem}; nothing was built`,
    {
      hint:
        'upload a directory with `slipway deploy DIR` (names relative ' +
        'to it, no "..", no links that files are stored through)',
      details: { member: name.slice(0, 300), problem },
    },
  );
}

/** Pure, stateful: feed it each header in archive order. */
export class ArchiveChecker {
  /** Every stored path with its kind; directories include the implicit parents of stored paths. */
  private readonly kinds = new Map<string, MemberKind>();
  private entries = 0;
  private bytes = 0;

  /** `what` names the archive in messages ("the uploaded source", "artifact /out/app"). */
  constructor(
    private readonly limits: ArchiveLimits,
    private readonly what = 'the archive',
  ) {}

  get count(): number {
    return this.entries;
  }

  /** Paths of the non-directory members (regular files, hard and symbolic links). */
  files(): Set<string> {
    return new Set([...this.kinds].filter(([, k]) => k !== 'dir').map(([p]) => p));
  }

  kindOf(path: string): MemberKind | undefined {
    return this.kinds.get(path);
  }

  /** Throws INVALID_INPUT / PAYLOAD_TOO_LARGE, or says whether to extract the entry. */
  check(header: MemberHeader): MemberDecision {
    const raw = header.path;
    if (++this.entries > this.limits.maxEntries) throw tooManyEntries(this.limits.maxEntries);
    this.bytes += Math.max(0, header.size ?? 0);
    if (this.bytes > this.limits.maxExpandedBytes)
      throw tooLarge('its files add up to', this.limits.maxExpandedBytes, LIMIT_VARIABLES.expanded);
    const problem = relativePathProblem(raw) ?? (raw.trim() === '' ? 'has an empty name' : undefined);
    if (problem) throw badMember(this.what, raw, problem);
    const path = normalizeRelative(raw);
    if (path === '') return { keep: false, path, reason: 'the root directory itself' };

    let kind: MemberKind;
    if (FILE_TYPES.has(header.type)) kind = 'file';
    else if (header.type === 'Directory') kind = 'dir';
    else if (header.type === 'SymbolicLink') kind = 'symlink';
    else if (header.type === 'Link') kind = 'hardlink';
    else if (DROPPED_TYPES.has(header.type))
      return { keep: false, path, reason: `a ${header.type} (devices and FIFOs are never extracted)` };
    else return { keep: false, path, reason: `an unsupported entry type ${header.type}` };

    this.checkParents(raw, path);
    const existing = this.kinds.get(path);
    if (existing !== undefined && !(existing === 'dir' && kind === 'dir'))
      throw badMember(this.what, raw, 'is stored twice (a later entry would replace an earlier one)');

    if (kind === 'symlink') this.checkLinkTarget(raw, header.linkpath);
    if (kind === 'hardlink') {
      const target = header.linkpath ?? '';
      const targetProblem = relativePathProblem(target) ?? (target === '' ? 'has an empty name' : undefined);
      if (targetProblem) throw badMember(this.what, raw, `is a hard link whose target ${targetProblem}`);
      const targetKind = this.kinds.get(normalizeRelative(target));
      if (targetKind !== 'file' && targetKind !== 'hardlink')
        throw badMember(
          this.what,
          raw,
          'is a hard link to something that is not a regular file stored earlier in the archive',
        );
    }
    this.kinds.set(path, kind);
    return { keep: true, path, kind };
  }

  /** Every parent must be a directory (stored or implied), never a link or a file. */
  private checkParents(raw: string, path: string): void {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const kind = this.kinds.get(parent);
      if (kind === 'symlink') throw badMember(this.what, raw, `goes through the symbolic link ${shownPath(parent)}`);
      if (kind === 'file' || kind === 'hardlink')
        throw badMember(this.what, raw, `is inside ${shownPath(parent)}, which is a file`);
      if (kind === undefined) this.kinds.set(parent, 'dir');
    }
  }

  private checkLinkTarget(raw: string, target: string | undefined): void {
    if (target === undefined || target === '') throw badMember(this.what, raw, 'is a symbolic link without a target');
    if (target.includes('\0')) throw badMember(this.what, raw, 'is a symbolic link whose target contains a NUL byte');
    if (Buffer.byteLength(target) > 4096)
      throw badMember(this.what, raw, 'is a symbolic link whose target is longer than 4096 bytes');
  }
}

/** Gzip (1f 8b) and zstd (28 b5 2f fd) magic: node-tar would decompress such a stream by itself. */
export function compressedMagic(start: Buffer): 'gzip' | 'zstd' | undefined {
  if (start.length >= 2 && start[0] === 0x1f && start[1] === 0x8b) return 'gzip';
  if (start.length >= 4 && start[0] === 0x28 && start[1] === 0xb5 && start[2] === 0x2f && start[3] === 0xfd)
    return 'zstd';
  return undefined;
}

/**
 * Whether the first 512 bytes are a tar header: its checksum matches (the sum of the header's bytes
 * with the checksum field taken as spaces) and it is not compressed data (pure).
 */
export function isTarHeaderBlock(block: Buffer): boolean {
  if (block.length < 512 || compressedMagic(block)) return false;
  const field = block
    .subarray(148, 156)
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .trim();
  if (!/^[0-7]{1,8}$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === parseInt(field, 8);
}
