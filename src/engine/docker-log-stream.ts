import { StringDecoder } from 'node:string_decoder';
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

/** Splits text into lines across chunks; strips `\n` / `\r\n`; `flush` returns an unterminated tail. */
export class LineSplitter {
  private partial = '';

  push(text: string): string[] {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    return parts.map(stripCarriageReturn);
  }

  flush(): string[] {
    const rest = this.partial;
    this.partial = '';
    return rest === '' ? [] : [stripCarriageReturn(rest)];
  }
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

/**
 * Turns payload bytes per stream into timestamped LogLines. Each stream has its own UTF-8 decoder
 * and line buffer, so a line split across frames stays whole even when the other stream interleaves.
 */
export class LogLineAssembler {
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private readonly splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };

  push(stream: LogLine['stream'], bytes: Uint8Array): LogLine[] {
    const text = this.decoders[stream].write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return this.splitters[stream].push(text).map((line) => toLogLine(stream, line));
  }

  /** Frames from a demuxer; stdin/system frames are not log output and are dropped. */
  pushFrames(frames: DockerFrame[]): LogLine[] {
    const lines: LogLine[] = [];
    for (const frame of frames) {
      if (frame.stream === 'stdout' || frame.stream === 'stderr') lines.push(...this.push(frame.stream, frame.payload));
    }
    return lines;
  }

  flush(): LogLine[] {
    const lines: LogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const tail = this.decoders[stream].end();
      const pending = tail ? this.splitters[stream].push(tail) : [];
      lines.push(...[...pending, ...this.splitters[stream].flush()].map((line) => toLogLine(stream, line)));
    }
    return lines;
  }
}

function toLogLine(stream: LogLine['stream'], line: string): LogLine {
  const { time, text } = splitLogTimestamp(line);
  return { stream, time, text };
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
