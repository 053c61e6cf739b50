import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  RUN_FRAME_PAYLOAD_BYTES,
  RunFrameDecoder,
  errorFrame,
  exitFrame,
  keepaliveFrame,
  outputFrames,
  type RunFrame,
} from './run-frames.js';

function decodeAll(bytes: Buffer, cuts: number[]): RunFrame[] {
  const decoder = new RunFrameDecoder();
  const frames: RunFrame[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    frames.push(...decoder.push(bytes.subarray(from, to)));
    from = to;
  }
  assert.equal(decoder.pendingBytes, 0);
  return frames;
}

describe('run -i frames', () => {
  const forged = Buffer.concat([Buffer.from('\u001b]slipway-exit;0\u0007'), exitFrame(0), Buffer.from('tail')]);
  const session = Buffer.concat([
    ...outputFrames('stdout', forged),
    keepaliveFrame(),
    ...outputFrames('stderr', Buffer.from('oops\n')),
    keepaliveFrame(),
    exitFrame(7),
  ]);

  it(
    'carries any output bytes, even an old exit marker or a whole exit ' +
      'frame, as output; the exit code is its own frame; keepalives carry nothing',
    () => {
      const frames = decodeAll(session, []);
      assert.deepEqual(frames, [
        { type: 'stdout', data: forged },
        { type: 'stderr', data: Buffer.from('oops\n') },
        { type: 'exit', exitCode: 7 },
      ]);
    },
  );

  it('gives the same frames for every split of the stream into two and three chunks', () => {
    const whole = JSON.stringify(decodeAll(session, []));
    for (let a = 1; a < session.length; a += 3) {
      assert.equal(JSON.stringify(decodeAll(session, [a])), whole, `cut at ${a}`);
      const b = Math.min(session.length, a + 7);
      assert.equal(JSON.stringify(decodeAll(session, [a, b])), whole, `cut at ${a},${b}`);
    }
  });

  it('splits large output into bounded frames', () => {
    const data = Buffer.alloc(RUN_FRAME_PAYLOAD_BYTES * 2 + 10, 'x');
    const frames = outputFrames('stdout', data);
    assert.equal(frames.length, 3);
    const decoded = decodeAll(Buffer.concat(frames), [100, 70_000]);
    assert.deepEqual(Buffer.concat(decoded.map((f) => (f.type === 'stdout' ? f.data : Buffer.alloc(0)))), data);
  });

  it('passes errors with a known code and maps an unknown one to INTERNAL', () => {
    assert.deepEqual(decodeAll(errorFrame({ code: 'DOCKER_UNAVAILABLE', message: 'gone', hint: 'start it' }), []), [
      { type: 'error', error: { code: 'DOCKER_UNAVAILABLE', message: 'gone', hint: 'start it' } },
    ]);
    const body = Buffer.from(JSON.stringify({ code: 'toString', message: 'x' }));
    const odd = Buffer.concat([Buffer.from([4, 0, 0, 0, body.length]), body]);
    assert.deepEqual(decodeAll(odd, []), [{ type: 'error', error: { code: 'INTERNAL', message: 'x' } }]);
  });

  it('refuses unknown frame types, oversized frames and unreadable control frames without buffering them', () => {
    assert.throws(() => new RunFrameDecoder().push(Buffer.from([9, 0, 0, 0, 0])), /unknown frame type 9/);
    assert.throws(
      () => new RunFrameDecoder().push(Buffer.from([1, 0xff, 0xff, 0xff, 0xff])),
      /a frame of 4294967295 bytes/,
    );
    assert.throws(
      () => new RunFrameDecoder().push(Buffer.concat([Buffer.from([3, 0, 0, 0, 2]), Buffer.from('{x')])),
      /unreadable exit frame/,
    );
    assert.throws(
      () => new RunFrameDecoder().push(Buffer.concat([Buffer.from([3, 0, 0, 0, 2]), Buffer.from('{}')])),
      /without an exit code/,
    );
  });
});
