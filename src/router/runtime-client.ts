import net from 'node:net';
import { abortError } from '../core/abort.js';
import { SlipwayError } from '../core/errors.js';

export interface SendCommandOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * Sends one command to an HAProxy CLI unix socket (runtime API or master CLI) and returns the
 * whole answer. The write side is half-closed after the command, so HAProxy answers and closes.
 */
export function sendSocketCommand(socketPath: string, command: string, opts: SendCommandOptions = {}): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(abortError(opts.signal));
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = net.connect(socketPath);
    const finish = (err: Error | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onAbort = () => finish(abortError(opts.signal!));
    const timer = setTimeout(
      () =>
        finish(
          new SlipwayError('HAPROXY_UNAVAILABLE', `HAProxy did not answer "${verb(command)}" within ${timeoutMs} ms`, {
            hint: 'HAProxy may be overloaded or stuck; the Slipway server restarts it when it dies',
            details: { socket: socketPath },
          }),
        ),
      timeoutMs,
    );
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('connect', () => socket.end(`${command}\n`));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish(undefined));
    socket.on('close', () => finish(undefined));
    socket.on('error', (err: NodeJS.ErrnoException) => finish(socketError(socketPath, command, err)));
  });
}

function socketError(socketPath: string, command: string, err: NodeJS.ErrnoException): Error {
  if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
    return new SlipwayError('HAPROXY_UNAVAILABLE', `HAProxy is not running (no answer on ${socketPath})`, {
      hint: 'start the Slipway server (it starts HAProxy), or run `slipway setup` if HAProxy is not installed',
      cause: err,
      details: { socket: socketPath, command: verb(command) },
    });
  }
  return new SlipwayError('HAPROXY_UNAVAILABLE', `HAProxy socket error on "${verb(command)}": ${err.message}`, {
    cause: err,
    details: { socket: socketPath },
  });
}

/** The first two words of a command, for messages (never arguments). */
function verb(command: string): string {
  return command.split(' ').slice(0, 2).join(' ');
}
