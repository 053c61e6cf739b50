import { Transform, type Duplex } from 'node:stream';
import { toSlipwayError } from '../core/errors.js';
import { DockerStreamDemuxer } from '../engine/docker-log-stream.js';
import { errorFrame, exitFrame, keepaliveFrame, outputFrames } from './run-frames.js';
import type { StartedRun } from './run-service.js';

/** How often a half-closed client is probed (see relayInteractive). */
const KEEPALIVE_MS = 2000;

/** Output chunks of a run's attach stream, per stream (a TTY has one raw stream: stdout). */
export function runOutput(run: {
  tty: boolean;
}): (chunk: Buffer) => { stream: 'stdout' | 'stderr'; payload: Buffer }[] {
  if (run.tty) return (chunk) => [{ stream: 'stdout', payload: chunk }];
  const demux = new DockerStreamDemuxer();
  return (chunk) =>
    demux
      .push(chunk)
      .filter(
        (f): f is { stream: 'stdout' | 'stderr'; payload: Buffer } => f.stream === 'stdout' || f.stream === 'stderr',
      );
}

/**
 * `run -i` after the upgrade: the container's output to the client as frames, the client's bytes
 * to the container's stdin, each direction paced by the other side (pipes pause while a side is
 * full); then the exit code as its own frame. A client that leaves kills and removes the container.
 */
export async function relayInteractive(run: StartedRun, client: Duplex): Promise<void> {
  const output = runOutput(run);
  const encoder = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      for (const part of output(chunk)) for (const frame of outputFrames(part.stream, part.payload)) this.push(frame);
      done();
    },
  });
  let clientLeft = false;
  let keepalive: NodeJS.Timeout | undefined;
  const onLeave = () => {
    clientLeft = true;
    clearInterval(keepalive);
    void run.cancel();
  };
  client.once('close', onLeave);
  // The client's end is its stdin's EOF, or the client went away: the same FIN. Writing tells them
  // apart: to a client that left, a write fails and closes the socket.
  client.once('end', () => {
    keepalive = setInterval(() => client.write(keepaliveFrame()), KEEPALIVE_MS);
  });
  client.on('error', () => client.destroy());
  run.stream.on('error', () => undefined); // e.g. stdin written after the command ended
  run.stream.once('close', () => {
    if (!encoder.writableEnded) encoder.end();
  });
  const outputDone = new Promise<void>((resolve) => {
    encoder.once('end', resolve);
    client.once('close', resolve);
  });
  run.stream.pipe(encoder).pipe(client, { end: false });
  client.pipe(run.stream); // the client's end (stdin EOF) closes the command's stdin
  await outputDone;
  if (clientLeft) return;
  let last: Buffer;
  try {
    last = exitFrame(await run.finish());
  } catch (err) {
    last = errorFrame(toSlipwayError(err).toJSON());
  }
  client.off('close', onLeave);
  clearInterval(keepalive);
  client.end(last);
}
