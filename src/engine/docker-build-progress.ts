import { StringDecoder } from 'node:string_decoder';
import { LineSplitter } from './docker-log-stream.js';

/**
 * Pure, incremental parsing of the classic builder's progress stream (`POST /build`): JSON messages
 * separated by `\r\n`, split across chunks anywhere, e.g.
 *   {"stream":"Step 1/2 : FROM x"} {"stream":"\n"} {"aux":{"ID":"sha256:…"}} {"error":"…","errorDetail":{…}}
 */

export interface BuildMessage {
  stream?: string;
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: { ID?: string };
}

/** Splits a byte stream of JSON lines into messages; a line that is not JSON becomes `{ stream }`. */
export class JsonLinesDecoder {
  private readonly decoder = new StringDecoder('utf8');
  private readonly lines = new LineSplitter();

  push(chunk: Uint8Array): BuildMessage[] {
    return this.parse(
      this.lines.push(this.decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))),
    );
  }

  flush(): BuildMessage[] {
    const tail = this.decoder.end();
    return this.parse([...(tail ? this.lines.push(tail) : []), ...this.lines.flush()]);
  }

  private parse(lines: string[]): BuildMessage[] {
    const messages: BuildMessage[] = [];
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        const value: unknown = JSON.parse(line);
        messages.push(value !== null && typeof value === 'object' ? (value as BuildMessage) : { stream: `${line}\n` });
      } catch {
        messages.push({ stream: `${line}\n` });
      }
    }
    return messages;
  }
}

// The classic builder wraps RUN stderr in red: `\u001b[91m … \u001b[0m`.
const ANSI_SGR = /\u001b\[[0-9;]*m/g;
const SUCCESSFULLY_BUILT = /^Successfully built ([0-9a-f]{12,64})\s*$/;
const DEFAULT_KEPT_LINES = 20;

/**
 * Folds build messages into output lines, the image id and the failure, keeping the last lines
 * for the BUILD_FAILED details.
 */
export class BuildProgress {
  private readonly streamLines = new LineSplitter();
  private readonly recent: string[] = [];
  private auxImageId: string | undefined;
  private shortImageId: string | undefined;
  private failure: string | undefined;

  constructor(private readonly keptLines = DEFAULT_KEPT_LINES) {}

  /** Returns the complete output lines this message produced (ANSI colour codes removed). */
  handle(message: BuildMessage): string[] {
    const lines: string[] = [];
    if (typeof message.stream === 'string') {
      lines.push(...this.streamLines.push(message.stream.replace(ANSI_SGR, '')));
    }
    if (typeof message.status === 'string' && message.progressDetail?.current === undefined) {
      lines.push(...this.streamLines.flush(), message.id ? `${message.id}: ${message.status}` : message.status);
    }
    const auxId = message.aux?.ID;
    if (typeof auxId === 'string' && auxId !== '') this.auxImageId = auxId;
    const error = message.errorDetail?.message ?? message.error;
    if (typeof error === 'string' && error !== '') {
      lines.push(...this.streamLines.flush());
      this.failure = error;
    }
    for (const line of lines) this.remember(line);
    if (typeof error === 'string' && error !== '') this.remember(error);
    return lines;
  }

  /** Output left in an unterminated line at the end of the stream. */
  flush(): string[] {
    const lines = this.streamLines.flush();
    for (const line of lines) this.remember(line);
    return lines;
  }

  /** `sha256:…` from `aux.ID`, else the short id from "Successfully built …". */
  get imageId(): string | undefined {
    return this.auxImageId ?? this.shortImageId;
  }

  get error(): string | undefined {
    return this.failure;
  }

  get lastLines(): string[] {
    return [...this.recent];
  }

  private remember(line: string): void {
    const built = SUCCESSFULLY_BUILT.exec(line);
    if (built) this.shortImageId = built[1];
    this.recent.push(line);
    if (this.recent.length > this.keptLines) this.recent.shift();
  }
}

/** A hint for common build failures on a host without a reachable registry. */
export function buildFailureHint(error: string): string {
  if (/registry|dial tcp|pull access denied|manifest unknown|repository does not exist/i.test(error)) {
    return (
      'the base image is not on this Docker host and could not be pulled; ' +
      'build or load it locally (see `docker images`), or change FROM'
    );
  }
  if (/returned a non-zero code/i.test(error)) {
    return 'a RUN step failed; its output is in the last build lines';
  }
  if (/dockerfile parse error|unknown instruction/i.test(error)) {
    return 'fix the Dockerfile syntax at the line named in the message';
  }
  return 'see the last build lines for the cause';
}
