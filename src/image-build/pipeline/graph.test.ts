import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlipwayError } from '../../core/errors.js';
import { incomingArtifacts } from './graph.js';
import { planPipeline } from './plan.js';

const plan = (text: string) =>
  planPipeline({
    file: 'build.yml',
    text,
    files: new Set(['build.yml', 'Dockerfile']),
    readFile: async () => 'FROM slipway/debian:bookworm\n',
    vars: {},
    secretNames: [],
  });

const CHAIN = `
steps:
  deps:    { artifacts: ["/out/vendor:vendor"] }
  compile: { depends_on: [deps], artifacts: ["/out/server:bin/server"] }
  image:   { depends_on: [compile] }
final: image
`;

test("every ancestor's artifacts reach a later step, deepest first (not only the direct dependency's)", async () => {
  const p = await plan(CHAIN);
  assert.deepEqual(
    incomingArtifacts(p.spec, p.nodes, 'image').map((a) => `${a.step}[${a.index}] → ${a.artifact.to}`),
    ['deps[0] → vendor', 'compile[0] → bin/server'],
  );
  assert.deepEqual(
    incomingArtifacts(p.spec, p.nodes, 'compile').map((a) => a.artifact.to),
    ['vendor'],
  );
  assert.deepEqual(incomingArtifacts(p.spec, p.nodes, 'deps'), []);
});

test('two ancestors exporting the same (or a nested) destination is an error naming both', async () => {
  const cases: Array<[string, RegExp]> = [
    [
      'steps:\n  a: { artifacts: ["/out/x:bin/app"] }\n  b: { depends_on: [a], artifacts: ["/out/y:bin/app"] }\n' +
        '  c: { depends_on: [b] }\nfinal: c\n',
      /steps\.c: steps\.a\.artifacts\[0\] and steps\.b\.artifacts\[0\] both export bin\/app into its build context/,
    ],
    [
      'steps:\n  a: { artifacts: ["/out/x:bin"] }\n  b: { artifacts: ["/out/y:bin/app"] }\n' +
        '  c: { depends_on: [a, b] }\nfinal: c\n',
      /steps\.a\.artifacts\[0\] and steps\.b\.artifacts\[0\] export bin and bin\/app/,
    ],
    [
      'steps:\n  a: { artifacts: ["/out/x:lib", "/out/y:lib"] }\n  c: { depends_on: [a] }\nfinal: c\n',
      /steps\.a\.artifacts\[0\] and steps\.a\.artifacts\[1\] both export lib/,
    ],
  ];
  for (const [text, message] of cases) {
    await assert.rejects(plan(text), (err: unknown) => {
      assert.ok(err instanceof SlipwayError);
      assert.equal(err.code, 'INVALID_INPUT');
      assert.match(err.message, message);
      assert.ok(err.hint);
      return true;
    });
  }
  // Different destinations from both levels are fine.
  await plan(CHAIN);
});
