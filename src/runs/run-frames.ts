import { ERROR_CODES, SlipwayError, type ErrorCode } from '../core/errors.js';

/**
 * The server→client direction of `run -i` after the HTTP upgrade: frames of
 * `[type:1][length:4, big-endian][payload:length]`. The app's bytes only ever travel inside
 * stdout/stderr payloads, so nothing it prints can end the session or fake its exit code.
 * The client→server direction stays raw stdin bytes.
 */
export const RUN_PROTOCOL = 'slipway-run.2';

const TYPES = { stdout: 1, stderr: 2, exit: 3, error: 4, keepalive: 5 } as const;
const NAMES: Record<number, keyof typeof TYPES> = { 1: 'stdout', 2: 'stderr', 3: 'exit', 4: 'error', 5: 'keepalive' };
const HEADER_BYTES = 5;
/** Payload bytes per frame the encoder writes. */
export const RUN_FRAME_PAYLOAD_BYTES = 64 * 1024;
/** Largest frame the decoder accepts (anything larger is a protocol error, never buffered). */
const MAX_PAYLOAD_BYTES = 1024 * 1024;

export interface RunErrorBody {
  code: ErrorCode;
  message: string;
  hint?: string;
}

export type RunFrame =
  | { type: 'stdout' | 'stderr'; data: Buffer }
  | { type: 'exit'; exitCode: number }
  | { type: 'error'; error: RunErrorBody };

function frame(type: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = type;
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

/** Output bytes as frames of at most RUN_FRAME_PAYLOAD_BYTES each. */
export function outputFrames(stream: 'stdout' | 'stderr', data: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  for (let at = 0; at < data.length; at += RUN_FRAME_PAYLOAD_BYTES)
    frames.push(frame(TYPES[stream], data.subarray(at, at + RUN_FRAME_PAYLOAD_BYTES)));
  return frames;
}

export function exitFrame(exitCode: number): Buffer {
  return frame(TYPES.exit, Buffer.from(JSON.stringify({ exitCode })));
}

/** Carries nothing: written while the client's side is closed, so a client that left is noticed (the write fails). */
export function keepaliveFrame(): Buffer {
  return frame(TYPES.keepalive, Buffer.alloc(0));
}

export function errorFrame(error: RunErrorBody): Buffer {
  return frame(
    TYPES.error,
    Buffer.from(
      JSON.stringify({ code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) }),
    ),
  );
}

function protocolError(what: string): SlipwayError {
  return new SlipwayError('INTERNAL', `the interactive session broke: ${what}`, {
    hint: 'use the same Slipway version for the CLI and the server',
  });
}

function parseControl(type: 'exit' | 'error', payload: Buffer): RunFrame {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    throw protocolError(`unreadable ${type} frame`);
  }
  const v = value as { exitCode?: unknown; code?: unknown; message?: unknown; hint?: unknown };
  if (type === 'exit') {
    if (typeof v.exitCode !== 'number' || !Number.isInteger(v.exitCode))
      throw protocolError('exit frame without an exit code');
    return { type, exitCode: v.exitCode };
  }
  if (typeof v.code !== 'string' || typeof v.message !== 'string')
    throw protocolError('error frame without code and message');
  const code: ErrorCode = Object.hasOwn(ERROR_CODES, v.code) ? (v.code as ErrorCode) : 'INTERNAL';
  return { type, error: { code, message: v.message, ...(typeof v.hint === 'string' ? { hint: v.hint } : {}) } };
}

/** Incremental decoder: chunks may split a header or a payload anywhere. */
export class RunFrameDecoder {
  private rest: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): RunFrame[] {
    const bytes = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk;
    const frames: RunFrame[] = [];
    let at = 0;
    while (bytes.length - at >= HEADER_BYTES) {
      const name = NAMES[bytes[at]!];
      if (!name) throw protocolError(`unknown frame type ${bytes[at]}`);
      const size = bytes.readUInt32BE(at + 1);
      if (size > MAX_PAYLOAD_BYTES) throw protocolError(`a frame of ${size} bytes`);
      if (bytes.length - at < HEADER_BYTES + size) break;
      const payload = bytes.subarray(at + HEADER_BYTES, at + HEADER_BYTES + size);
      if (name === 'stdout' || name === 'stderr') frames.push({ type: name, data: payload });
      else if (name !== 'keepalive') frames.push(parseControl(name, payload));
      at += HEADER_BYTES + size;
    }
    this.rest = bytes.subarray(at);
    return frames;
  }

  /** Bytes of an unfinished frame (non-zero when the connection ends means it was cut). */
  get pendingBytes(): number {
    return this.rest.length;
  }
}
