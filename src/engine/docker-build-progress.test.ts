import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BuildProgress, JsonLinesDecoder, buildFailureHint, type BuildMessage } from './docker-build-progress.js';

// Recorded from Docker 20.10's classic builder (POST /build).
const FAILED_BUILD =
  [
    '{"stream":"Step 1/2 : FROM slipway/debian:bookworm"}',
    '{"stream":"\\n"}',
    '{"stream":" ---\\u003e e70ba0c7b345\\n"}',
    '{"stream":"Step 2/2 : RUN echo hello \\u0026\\u0026 echo oops \\u003e\\u00262 \\u0026\\u0026 exit 3"}',
    '{"stream":"\\n"}',
    '{"stream":" ---\\u003e Running in bed2683a1534\\n"}',
    '{"stream":"\\u001b[91moops\\n\\u001b[0m"}',
    '{"stream":"hello\\n"}',
    '{"stream":"Removing intermediate container bed2683a1534\\n"}',
    '{"errorDetail":{"code":3,"message":"The command \'/bin/sh -c echo hello \\u0026\\u0026 echo oops ' +
      '\\u003e\\u00262 \\u0026\\u0026 exit 3\' returned a non-zero code: 3"},"error":"The command \'/bin/sh -c ' +
      'echo hello \\u0026\\u0026 echo oops \\u003e\\u00262 \\u0026\\u0026 exit 3\' returned a non-zero code: 3"}',
  ].join('\r\n') + '\r\n';

const GOOD_BUILD =
  [
    '{"stream":"Step 1/2 : FROM slipway/debian:bookworm"}',
    '{"stream":"\\n"}',
    '{"stream":" ---\\u003e e70ba0c7b345\\n"}',
    '{"stream":"Step 2/2 : CMD [\\"echo\\",\\"hi\\"]"}',
    '{"stream":"\\n"}',
    '{"stream":" ---\\u003e edb315b52b62\\n"}',
    '{"aux":{"ID":"sha256:edb315b52b624518384c2ea1c19567bd434c830044f121ac890801ba2a8979a9"}}',
    '{"stream":"Successfully built edb315b52b62\\n"}',
    '{"stream":"Successfully tagged probe-build:1\\n"}',
  ].join('\r\n') + '\r\n';

function run(text: string, chunkSize: number): { lines: string[]; progress: BuildProgress } {
  const decoder = new JsonLinesDecoder();
  const progress = new BuildProgress();
  const lines: string[] = [];
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunkSize) {
    for (const message of decoder.push(bytes.subarray(i, i + chunkSize))) lines.push(...progress.handle(message));
  }
  for (const message of decoder.flush()) lines.push(...progress.handle(message));
  lines.push(...progress.flush());
  return { lines, progress };
}

describe('JsonLinesDecoder', () => {
  it('parses messages split anywhere, and keeps non-JSON lines as text', () => {
    const decoder = new JsonLinesDecoder();
    const messages: BuildMessage[] = [
      ...decoder.push(Buffer.from('{"stream":"a\\n"}\r\n{"str')),
      ...decoder.push(Buffer.from('eam":"b\\n"}\r\nnot json\r\n')),
      ...decoder.push(Buffer.from('{"aux":{"ID":"sha256:1"}}')),
      ...decoder.flush(),
    ];
    assert.deepEqual(messages, [
      { stream: 'a\n' },
      { stream: 'b\n' },
      { stream: 'not json\n' },
      { aux: { ID: 'sha256:1' } },
    ]);
  });
});

describe('BuildProgress', () => {
  for (const chunkSize of [1, 7, 64, 100_000]) {
    it(`collects lines and the image id of a good build (chunks of ${chunkSize} bytes)`, () => {
      const { lines, progress } = run(GOOD_BUILD, chunkSize);
      assert.deepEqual(lines, [
        'Step 1/2 : FROM slipway/debian:bookworm',
        ' ---> e70ba0c7b345',
        'Step 2/2 : CMD ["echo","hi"]',
        ' ---> edb315b52b62',
        'Successfully built edb315b52b62',
        'Successfully tagged probe-build:1',
      ]);
      assert.equal(progress.imageId, 'sha256:edb315b52b624518384c2ea1c19567bd434c830044f121ac890801ba2a8979a9');
      assert.equal(progress.error, undefined);
    });
  }

  it('records the failure with the RUN output, colour codes removed', () => {
    const { lines, progress } = run(FAILED_BUILD, 13);
    assert.ok(lines.includes('oops'));
    assert.ok(lines.includes('hello'));
    assert.match(progress.error ?? '', /returned a non-zero code: 3/);
    assert.equal(progress.imageId, undefined);
    assert.match(progress.lastLines.at(-1) ?? '', /non-zero code: 3/);
  });

  it('falls back to the short id of "Successfully built" without aux', () => {
    const progress = new BuildProgress();
    progress.handle({ stream: 'Successfully built 0123456789ab\n' });
    assert.equal(progress.imageId, '0123456789ab');
  });

  it('keeps only the last lines, and shows pull status lines but not progress ticks', () => {
    const progress = new BuildProgress(3);
    const lines = [
      ...progress.handle({ stream: '1\n2\n3\n4\n' }),
      ...progress.handle({ status: 'Pulling fs layer', id: 'abc' }),
      ...progress.handle({ status: 'Downloading', id: 'abc', progressDetail: { current: 10, total: 100 } }),
    ];
    assert.deepEqual(lines, ['1', '2', '3', '4', 'abc: Pulling fs layer']);
    assert.deepEqual(progress.lastLines, ['3', '4', 'abc: Pulling fs layer']);
  });
});

describe('buildFailureHint', () => {
  it('explains a missing base image on a host without a registry', () => {
    assert.match(
      buildFailureHint('Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host'),
      /base image/,
    );
    assert.match(buildFailureHint("The command '/bin/sh -c false' returned a non-zero code: 1"), /RUN step/);
  });
});
