import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerfileStepRefs, rewriteStepRefs } from './dockerfile-refs.js';

const steps = ['compile', 'base'];

test('finds FROM <step> lines, not stages defined earlier, not other images', () => {
  const cases: [string, string[]][] = [
    ['FROM compile\nRUN x', ['compile']],
    ['from Compile AS b\nFROM b', ['compile']],
    ['FROM --platform=linux/amd64 base AS x', ['base']],
    ['FROM debian AS compile\nFROM compile', []],
    ['FROM slipway/debian:bookworm\nCOPY --from=compile /a /b', []],
    ['FROM ${BASE}', []],
  ];
  for (const [text, expected] of cases) assert.deepEqual(dockerfileStepRefs(text, steps), expected, text);
});

test('rewrites FROM <step> to the namespaced tag, keeping flags and AS', () => {
  const text =
    'FROM --platform=linux/amd64 compile AS build\nRUN make\nFROM slipway/debian:bookworm\nCOPY --from=build /out /out';
  assert.equal(
    rewriteStepRefs(text, { compile: 'slipway-tmp/app:b1.compile' }),
    'FROM --platform=linux/amd64 slipway-tmp/app:b1.compile AS build\n' +
      'RUN make\nFROM slipway/debian:bookworm\nCOPY --from=build /out /out',
  );
});
