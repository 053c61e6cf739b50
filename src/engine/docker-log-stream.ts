import type { LogLine } from './port.js';

/**
 * Pure, incremental parsers for Docker's log streams: the multiplexed frame format of non-TTY
 * containers, line splitting across chunk boundaries, and the `timestamps=true` prefix.
 */

export type DockerStreamType = 'stdin' | 'stdout' | 'stderr' | 'system';

export interface DockerFrame {
  stream: DockerStreamType;
  payload: Buffer;
}

const FRAME_HEADER_BYTES = 8;
const STREAM_TYPES: Record<number, DockerStreamType> = { 0: 'stdin', 1: 'stdout', 2: 'stderr', 3: 'system' };

/**
 * Demultiplexes `[type:1][0:3][size:4 BE][payload:size]` frames. Chunks may split a header or a
 * payload anywhere; `push` returns the frames completed so far.
 */
export class DockerStreamDemuxer {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Uint8Array): DockerFrame[] {
    if (chunk.length > 0) {
      this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.buffered += chunk.length;
    }
    const frames: DockerFrame[] = [];
    for (;;) {
      if (this.buffered < FRAME_HEADER_BYTES) break;
      const header = this.peek(FRAME_HEADER_BYTES);
      const size = header.readUInt32BE(4);
      if (this.buffered < FRAME_HEADER_BYTES + size) break;
      const frame = this.take(FRAME_HEADER_BYTES + size);
      frames.push({ stream: STREAM_TYPES[header[0] ?? 1] ?? 'stdout', payload: frame.subarray(FRAME_HEADER_BYTES) });
    }
    return frames;
  }

  /** Bytes of an incomplete frame left over (non-zero at stream end means a truncated stream). */
  get pendingBytes(): number {
    return this.buffered;
  }

  private peek(bytes: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= bytes) return first.subarray(0, bytes);
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, bytes);
  }

  private take(bytes: number): Buffer {
    const whole = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const taken = whole.subarray(0, bytes);
    const rest = whole.subarray(bytes);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return taken;
  }
}

/**
 * Splits text into lines across chunks; strips `\n` / `\r\n`; `flush` returns an unterminated tail.
 * With `maxChars`, a longer line keeps its first `maxChars` characters plus a truncation marker, and
 * the rest is counted, never held (an app that never writes a newline cannot grow the buffer).
 */
export class LineSplitter {
  private partial = '';
  private dropped = 0;

  constructor(private readonly maxChars = Number.POSITIVE_INFINITY) {}

  /** Whether an unterminated line is pending. */
  get pending(): boolean {
    return this.partial !== '' || this.dropped > 0;
  }

  push(text: string): string[] {
    const lines: string[] = [];
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) break;
      this.append(text.slice(from, nl));
      lines.push(this.take());
      from = nl + 1;
    }
    this.append(from === 0 ? text : text.slice(from));
    return lines;
  }

  flush(): string[] {
    return this.pending ? [this.take()] : [];
  }

  private append(piece: string): void {
    const room = this.maxChars - this.partial.length;
    if (piece.length <= room) this.partial += piece;
    else {
      this.partial += piece.slice(0, Math.max(0, room));
      this.dropped += piece.length - Math.max(0, room);
    }
  }

  private take(): string {
    const line =
      this.dropped > 0 ? `${this.partial}${truncationMarker(this.dropped)}` : stripCarriageReturn(this.partial);
    this.partial = '';
    this.dropped = 0;
    return line;
  }
}

/** What replaces the end of a line that was too long. */
export function truncationMarker(dropped: number, unit: 'bytes' | 'characters' = 'characters'): string {
  return `… [line truncated: ${dropped} more ${unit}]`;
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

// RFC3339Nano as Docker writes it: trailing zeros of the fraction trimmed, usually `Z`.
const TIMESTAMP_PREFIX = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) ?/;

/** `2024-05-01T12:00:00.123456789Z hello` → `{ time, text }`; no prefix → time ''. */
export function splitLogTimestamp(line: string): { time: string; text: string } {
  const match = TIMESTAMP_PREFIX.exec(line);
  if (!match) return { time: '', text: line };
  return { time: match[1]!, text: line.slice(match[0].length) };
}

/** Longest log line kept whole (bytes); the rest of a longer line is replaced by a marker. */
export const MAX_LOG_LINE_BYTES = 64 * 1024;

/** A complete line's bytes (without `\n` / `\r\n`) and how many bytes past the limit were dropped. */
interface RawLine {
  bytes: Buffer;
  dropped: number;
}

/**
 * Splits bytes into lines at `\n`, a byte that never occurs inside a UTF-8 sequence. Only the
 * unterminated end is kept between chunks, as a copy (a chunk is never held for a line's sake). A
 * line longer than `maxBytes` keeps its first `maxBytes` (cut at a character boundary) and counts
 * the rest without holding it.
 */
export class ByteLineSplitter {
  private pieces: Buffer[] = [];
  private size = 0;
  private dropped = 0;

  constructor(private readonly maxBytes = MAX_LOG_LINE_BYTES) {}

  get pending(): boolean {
    return this.size > 0 || this.dropped > 0;
  }

  push(bytes: Buffer): RawLine[] {
    const lines: RawLine[] = [];
    let from = 0;
    for (let nl = bytes.indexOf(0x0a); nl >= 0; nl = bytes.indexOf(0x0a, from)) {
      this.append(bytes.subarray(from, nl));
      lines.push(this.take());
      from = nl + 1;
    }
    if (from < bytes.length) this.append(bytes.subarray(from), true);
    return lines;
  }

  flush(): RawLine[] {
    return this.pending ? [this.take()] : [];
  }

  private append(piece: Buffer, copy = false): void {
    const room = Math.max(0, this.maxBytes - this.size);
    const kept = piece.length <= room ? piece : piece.subarray(0, room);
    this.dropped += piece.length - kept.length;
    if (kept.length === 0) return;
    this.pieces.push(copy ? Buffer.from(kept) : kept);
    this.size += kept.length;
  }

  private take(): RawLine {
    let bytes = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.size);
    let dropped = this.dropped;
    if (dropped > 0) {
      const end = completeUtf8End(bytes);
      dropped += bytes.length - end;
      bytes = bytes.subarray(0, end);
    } else if (bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    this.pieces = [];
    this.size = 0;
    this.dropped = 0;
    return { bytes, dropped };
  }
}

/** Where `bytes` ends without a cut UTF-8 character. */
function completeUtf8End(bytes: Buffer): number {
  let lead = bytes.length - 1;
  while (lead >= 0 && bytes.length - lead < 4 && (bytes[lead]! & 0xc0) === 0x80) lead--;
  if (lead < 0) return bytes.length;
  const b = bytes[lead]!;
  const width = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
  return lead + width <= bytes.length ? bytes.length : lead;
}

/**
 * Turns payload bytes per stream into timestamped LogLines. Each stream has its own line buffer, so
 * a line split across frames stays whole even when the other stream interleaves. Each line is
 * decoded on its own, so a kept line never pins the chunk it came in. Docker splits a long line into
 * partial messages (16 KiB each), every one with its own timestamp prefix: for frames, a prefix that
 * continues an unterminated line is dropped, so the line is whole.
 */
export class LogLineAssembler {
  private readonly splitters: Record<LogLine['stream'], ByteLineSplitter>;

  constructor(maxLineBytes = MAX_LOG_LINE_BYTES) {
    this.splitters = { stdout: new ByteLineSplitter(maxLineBytes), stderr: new ByteLineSplitter(maxLineBytes) };
  }

  push(stream: LogLine['stream'], bytes: Uint8Array): LogLine[] {
    return this.splitters[stream]
      .push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      .map((line) => toLogLine(stream, line));
  }

  /** Frames from a demuxer; stdin/system frames are not log output and are dropped. */
  pushFrames(frames: DockerFrame[]): LogLine[] {
    const lines: LogLine[] = [];
    for (const frame of frames) {
      if (frame.stream !== 'stdout' && frame.stream !== 'stderr') continue;
      const payload = this.splitters[frame.stream].pending ? stripContinuationTimestamp(frame.payload) : frame.payload;
      for (const line of this.push(frame.stream, payload)) lines.push(line);
    }
    return lines;
  }

  flush(): LogLine[] {
    return (['stdout', 'stderr'] as const).flatMap((stream) =>
      this.splitters[stream].flush().map((line) => toLogLine(stream, line)),
    );
  }
}

/** A frame's leading `timestamp ` (ASCII, so safe to match on bytes before UTF-8 decoding). */
function stripContinuationTimestamp(payload: Buffer): Buffer {
  const match = TIMESTAMP_PREFIX.exec(payload.toString('latin1', 0, Math.min(40, payload.length)));
  return match ? payload.subarray(match[0].length) : payload;
}

/** Time and text as strings of their own (decoded from the bytes, not slices of a bigger string). */
function toLogLine(stream: LogLine['stream'], line: RawLine): LogLine {
  const match = TIMESTAMP_PREFIX.exec(line.bytes.toString('latin1', 0, Math.min(40, line.bytes.length)));
  const text = line.bytes.toString('utf8', match ? match[0].length : 0);
  return {
    stream,
    time: match ? match[1]! : '',
    text: line.dropped > 0 ? text + truncationMarker(line.dropped, 'bytes') : text,
  };
}

const RFC3339_PARTS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Nanoseconds since the epoch of a Docker RFC3339Nano timestamp (string compare fails on trimmed fractions). */
export function logTimeToUnixNanos(time: string): bigint | undefined {
  const match = RFC3339_PARTS.exec(time);
  if (!match) return undefined;
  const millis = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(millis)) return undefined;
  return BigInt(millis) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** Docker's `since` parameter with full precision: `seconds.nanoseconds`. */
export function unixNanosToSince(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  return `${seconds}.${(nanos % 1_000_000_000n).toString().padStart(9, '0')}`;
}

/**
 * Docker 20.10 ends a followed log stream when the container stops, sometimes before the last,
 * unterminated line is written. After such an end the adapter reads once more from the newest
 * timestamp seen; this tracks what was already delivered so nothing repeats.
 */
export class LogCatchUp {
  private newest: bigint | undefined;
  private atNewest = new Set<string>();

  observe(line: LogLine): void {
    const nanos = logTimeToUnixNanos(line.time);
    if (nanos === undefined) return;
    if (this.newest === undefined || nanos > this.newest) {
      this.newest = nanos;
      this.atNewest = new Set();
    }
    if (nanos === this.newest) this.atNewest.add(`${line.stream}\n${line.text}`);
  }

  /** `since` for the catch-up read: the newest line seen, else the given fallback (unix nanoseconds). */
  since(fallbackNanos: bigint): string {
    return unixNanosToSince(this.newest ?? fallbackNanos);
  }

  isNew(line: LogLine): boolean {
    const nanos = logTimeToUnixNanos(line.time);
    if (nanos === undefined || this.newest === undefined) return true;
    if (nanos !== this.newest) return nanos > this.newest;
    return !this.atNewest.has(`${line.stream}\n${line.text}`);
  }
}

/** Docker's `since` (unix seconds as a number, or `seconds.nanoseconds` text) as unix nanoseconds. */
export function sinceToUnixNanos(since: number | string): bigint {
  if (typeof since === 'number') return BigInt(Math.round(since * 1000)) * 1_000_000n;
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(since);
  if (!match) return 0n;
  return BigInt(match[1]!) * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}
