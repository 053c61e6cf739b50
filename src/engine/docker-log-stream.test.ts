import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ByteLineSplitter,
  DockerStreamDemuxer,
  LineSplitter,
  LogCatchUp,
  LogLineAssembler,
  logTimeToUnixNanos,
  sinceToUnixNanos,
  splitLogTimestamp,
  truncationMarker,
  unixNanosToSince,
} from './docker-log-stream.js';

function frame(type: number, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Splits `bytes` at every given offset. */
function cut(bytes: Buffer, offsets: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const to of [...offsets, bytes.length]) {
    pieces.push(bytes.subarray(from, to));
    from = to;
  }
  return pieces;
}

const STREAM = Buffer.concat([
  frame(1, '2026-11-23T18:43:24.875122687Z abcdef\n'),
  frame(2, '2026-11-23T18:43:24.875068708Z err\n'),
  frame(1, ''),
  frame(1, '2026-11-23T18:43:25.91277113Z tail'),
]);

describe('DockerStreamDemuxer', () => {
  it('reads whole frames from one chunk', () => {
    const frames = new DockerStreamDemuxer().push(STREAM);
    assert.deepEqual(
      frames.map((f) => [f.stream, f.payload.toString()]),
      [
        ['stdout', '2026-11-23T18:43:24.875122687Z abcdef\n'],
        ['stderr', '2026-11-23T18:43:24.875068708Z err\n'],
        ['stdout', ''],
        ['stdout', '2026-11-23T18:43:25.91277113Z tail'],
      ],
    );
  });

  it('gives the same frames for every split of the stream into two and three chunks', () => {
    const expected = new DockerStreamDemuxer().push(STREAM).map((f) => [f.stream, f.payload.toString()]);
    for (let a = 0; a <= STREAM.length; a++) {
      for (const b of [a, Math.min(STREAM.length, a + 1), Math.min(STREAM.length, a + 7)]) {
        const demuxer = new DockerStreamDemuxer();
        const got = cut(STREAM, [a, b]).flatMap((piece) => demuxer.push(piece));
        assert.deepEqual(
          got.map((f) => [f.stream, f.payload.toString()]),
          expected,
          `split at ${a},${b}`,
        );
        assert.equal(demuxer.pendingBytes, 0);
      }
    }
  });

  it('handles one byte at a time, inside headers and payloads', () => {
    const demuxer = new DockerStreamDemuxer();
    const frames = [...STREAM].flatMap((byte) => demuxer.push(Buffer.from([byte])));
    assert.equal(frames.length, 4);
    assert.equal(frames[3]!.payload.toString(), '2026-11-23T18:43:25.91277113Z tail');
  });

  it('keeps an incomplete frame pending', () => {
    const demuxer = new DockerStreamDemuxer();
    assert.deepEqual(demuxer.push(frame(1, 'hello').subarray(0, 10)), []);
    assert.equal(demuxer.pendingBytes, 10);
  });

  it('reads frames larger than 64 KiB', () => {
    const big = Buffer.alloc(100_000, 'x');
    const demuxer = new DockerStreamDemuxer();
    const frames = cut(frame(2, big), [3, 65_536]).flatMap((piece) => demuxer.push(piece));
    assert.equal(frames.length, 1);
    assert.equal(frames[0]!.payload.length, 100_000);
  });
});

describe('LineSplitter', () => {
  it('joins partial lines and strips CRLF', () => {
    const splitter = new LineSplitter();
    assert.deepEqual(splitter.push('one\r\ntw'), ['one']);
    assert.deepEqual(splitter.push('o'), []);
    assert.deepEqual(splitter.push('\n\nthree'), ['two', '']);
    assert.deepEqual(splitter.flush(), ['three']);
    assert.deepEqual(splitter.flush(), []);
  });
});

describe('LineSplitter with a line limit', () => {
  it('keeps the head of a long line and a marker, counting the rest without holding it', () => {
    const splitter = new LineSplitter(10);
    assert.deepEqual(splitter.push('0123456'), []);
    assert.deepEqual(splitter.push('789abcdef'), []);
    assert.equal(splitter.pending, true);
    for (let i = 0; i < 1000; i++) splitter.push('z'.repeat(1000));
    assert.deepEqual(splitter.push('!\nnext\r\n'), [`0123456789${truncationMarker(6 + 1_000_000 + 1)}`, 'next']);
    assert.equal(splitter.pending, false);
    assert.deepEqual(splitter.push('short'), []);
    assert.deepEqual(splitter.flush(), ['short']);
  });

  it('treats an exact-length line as whole', () => {
    const splitter = new LineSplitter(3);
    assert.deepEqual(splitter.push('abc\nabcd\n'), ['abc', `abc${truncationMarker(1)}`]);
  });
});

describe('ByteLineSplitter', () => {
  const text = (lines: { bytes: Buffer; dropped: number }[]) => lines.map((l) => `${l.bytes.toString()}|${l.dropped}`);

  it('splits at newlines across chunks, strips CRLF, flushes an unterminated end', () => {
    const splitter = new ByteLineSplitter();
    assert.deepEqual(text(splitter.push(Buffer.from('one\r\ntw'))), ['one|0']);
    assert.equal(splitter.pending, true);
    assert.deepEqual(text(splitter.push(Buffer.from('o\n\nthree'))), ['two|0', '|0']);
    assert.deepEqual(text(splitter.flush()), ['three|0']);
    assert.deepEqual(splitter.flush(), []);
  });

  it('keeps the head of a long line, cut at a character boundary, and counts the rest', () => {
    const splitter = new ByteLineSplitter(8);
    // 'aaaaaa€' is 6 + 3 bytes: the euro sign does not fit whole into 8 bytes.
    assert.deepEqual(text(splitter.push(Buffer.from('aaaaaa€bbbb\nok\n'))), ['aaaaaa|7', 'ok|0']);
    for (let i = 0; i < 100; i++) splitter.push(Buffer.alloc(10_000, 0x7a));
    assert.deepEqual(text(splitter.push(Buffer.from('\n'))), ['zzzzzzzz|999992']);
  });

  it('copies what it keeps of an unterminated line (the chunk is not pinned)', () => {
    const splitter = new ByteLineSplitter();
    const chunk = Buffer.from('line\npartial');
    splitter.push(chunk);
    chunk.fill(0x21);
    assert.deepEqual(text(splitter.push(Buffer.from(' end\n'))), ['partial end|0']);
  });
});

describe('splitLogTimestamp', () => {
  it('splits RFC3339Nano prefixes of any precision', () => {
    assert.deepEqual(splitLogTimestamp('2026-11-23T18:43:24.875122687Z hello world'), {
      time: '2026-11-23T18:43:24.875122687Z',
      text: 'hello world',
    });
    assert.deepEqual(splitLogTimestamp('2026-11-23T18:43:25.9Z  indented'), {
      time: '2026-11-23T18:43:25.9Z',
      text: ' indented',
    });
    assert.deepEqual(splitLogTimestamp('2026-11-23T18:43:25Z'), { time: '2026-11-23T18:43:25Z', text: '' });
    assert.deepEqual(splitLogTimestamp('2026-11-23T18:43:25+02:00 x'), {
      time: '2026-11-23T18:43:25+02:00',
      text: 'x',
    });
    assert.deepEqual(splitLogTimestamp('no timestamp here'), { time: '', text: 'no timestamp here' });
  });
});

describe('LogLineAssembler', () => {
  it('keeps stdout and stderr lines whole when their frames interleave mid-line', () => {
    const assembler = new LogLineAssembler();
    const lines = [
      ...assembler.push('stdout', Buffer.from('2026-11-23T18:43:24.1Z hel')),
      ...assembler.push('stderr', Buffer.from('2026-11-23T18:43:24.2Z oops\n')),
      ...assembler.push('stdout', Buffer.from('lo\n2026-11-23T18:43:24.3Z bye')),
      ...assembler.flush(),
    ];
    assert.deepEqual(lines, [
      { stream: 'stderr', time: '2026-11-23T18:43:24.2Z', text: 'oops' },
      { stream: 'stdout', time: '2026-11-23T18:43:24.1Z', text: 'hello' },
      { stream: 'stdout', time: '2026-11-23T18:43:24.3Z', text: 'bye' },
    ]);
  });

  it('decodes a UTF-8 character split across frames', () => {
    const assembler = new LogLineAssembler();
    const bytes = Buffer.from('2026-11-23T18:43:24Z h€llo\n');
    const at = bytes.indexOf(0xe2) + 1;
    const lines = [...assembler.push('stdout', bytes.subarray(0, at)), ...assembler.push('stdout', bytes.subarray(at))];
    assert.deepEqual(lines, [{ stream: 'stdout', time: '2026-11-23T18:43:24Z', text: 'h€llo' }]);
  });

  it('joins the partial messages of a long line (each with its own timestamp) into one line', () => {
    const assembler = new LogLineAssembler();
    // A partial message may end inside a UTF-8 character: its bytes continue after the next prefix.
    const euro = Buffer.from('€');
    const lines = [
      ...assembler.pushFrames([
        {
          stream: 'stdout',
          payload: Buffer.concat([Buffer.from('2026-11-23T18:43:24.000000001Z aaaa'), euro.subarray(0, 1)]),
        },
      ]),
      ...assembler.pushFrames([
        {
          stream: 'stdout',
          payload: Buffer.concat([
            Buffer.from('2026-11-23T18:43:24.000000002Z '),
            euro.subarray(1),
            Buffer.from('bbbb'),
          ]),
        },
      ]),
      ...assembler.pushFrames([{ stream: 'stdout', payload: Buffer.from('2026-11-23T18:43:24.000000003Z cccc\n') }]),
      ...assembler.pushFrames([{ stream: 'stdout', payload: Buffer.from('2026-11-23T18:43:24.000000004Z next\n') }]),
    ];
    assert.deepEqual(lines, [
      { stream: 'stdout', time: '2026-11-23T18:43:24.000000001Z', text: 'aaaa€bbbbcccc' },
      { stream: 'stdout', time: '2026-11-23T18:43:24.000000004Z', text: 'next' },
    ]);
  });

  it('truncates a line longer than its limit', () => {
    const assembler = new LogLineAssembler(40);
    const lines = assembler.pushFrames([
      { stream: 'stderr', payload: Buffer.from(`2026-11-23T18:43:24Z ${'x'.repeat(100)}\n`) },
    ]);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.time, '2026-11-23T18:43:24Z');
    assert.equal(lines[0]!.text, `${'x'.repeat(19)}${truncationMarker(81, 'bytes')}`);
  });

  it('drops stdin and system frames from a demuxer', () => {
    const demuxer = new DockerStreamDemuxer();
    const assembler = new LogLineAssembler();
    const lines = assembler.pushFrames(
      demuxer.push(Buffer.concat([frame(0, 'in\n'), frame(3, 'sys\n'), frame(1, '2026-11-23T18:43:24Z out\n')])),
    );
    assert.deepEqual(lines, [{ stream: 'stdout', time: '2026-11-23T18:43:24Z', text: 'out' }]);
  });
});

describe('log times and catch-up', () => {
  it('converts RFC3339Nano times to unix nanoseconds and back to a since parameter', () => {
    assert.equal(logTimeToUnixNanos('1970-01-01T00:00:01.5Z'), 1_500_000_000n);
    assert.equal(logTimeToUnixNanos('2026-11-23T18:43:25.91277113Z'), 1795459405912771130n);
    assert.equal(logTimeToUnixNanos('1970-01-01T02:00:00+02:00'), 0n);
    assert.equal(logTimeToUnixNanos('nope'), undefined);
    assert.equal(unixNanosToSince(1795459405012771130n), '1795459405.012771130');
  });

  it('orders trimmed fractions correctly (string comparison would not)', () => {
    assert.ok(logTimeToUnixNanos('2026-11-23T18:43:25.91Z')! > logTimeToUnixNanos('2026-11-23T18:43:25.9Z')!);
  });

  it('reads since values as numbers and as exact seconds.nanoseconds text', () => {
    assert.equal(sinceToUnixNanos(1.5), 1_500_000_000n);
    assert.equal(sinceToUnixNanos('1795459405.012771130'), 1795459405012771130n);
    assert.equal(sinceToUnixNanos('1795459405.5'), 1795459405500000000n);
    assert.equal(sinceToUnixNanos('17'), 17_000_000_000n);
    assert.equal(sinceToUnixNanos('nope'), 0n);
  });

  it('lets only lines newer than those delivered through', () => {
    const catchUp = new LogCatchUp();
    assert.equal(catchUp.since(7n), '0.000000007');
    catchUp.observe({ stream: 'stdout', time: '2026-11-23T18:43:25.1Z', text: 'a' });
    catchUp.observe({ stream: 'stdout', time: '2026-11-23T18:43:25.2Z', text: 'b' });
    assert.equal(catchUp.since(0n), '1795459405.200000000');
    assert.equal(catchUp.isNew({ stream: 'stdout', time: '2026-11-23T18:43:25.2Z', text: 'b' }), false);
    assert.equal(catchUp.isNew({ stream: 'stderr', time: '2026-11-23T18:43:25.2Z', text: 'b' }), true);
    assert.equal(catchUp.isNew({ stream: 'stdout', time: '2026-11-23T18:43:25.1Z', text: 'x' }), false);
    assert.equal(catchUp.isNew({ stream: 'stdout', time: '2026-11-23T18:43:25.21Z', text: 'tail' }), true);
  });
});
