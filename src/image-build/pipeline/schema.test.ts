import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArtifact, parsePipeline } from './schema.js';
import { planPipeline } from './plan.js';
import { findCycle } from './graph.js';

const plan = (
  text: string,
  opts: {
    files?: string[];
    dockerfiles?: Record<string, string>;
    secrets?: string[];
    vars?: Record<string, string>;
  } = {},
) =>
  planPipeline({
    file: 'build.yml',
    text,
    files: new Set([
      'build.yml',
      ...(opts.files ?? ['Dockerfile', 'Dockerfile.build', 'Dockerfile.api', 'Dockerfile.web']),
    ]),
    readFile: async (p) => opts.dockerfiles?.[p] ?? 'FROM slipway/debian:bookworm\n',
    vars: opts.vars ?? {},
    secretNames: opts.secrets ?? [],
  });

const ISSUE_EXAMPLE = `
steps:
  compile:   { dockerfile: Dockerfile.build, artifacts: ["/out/server:bin/server"], secrets: [GIT_TOKEN] }
  api:       { dockerfile: Dockerfile.api, depends_on: [compile] }
  web:       { dockerfile: Dockerfile.web, depends_on: [compile] }
final: api
`;

test('the issue example parses into a graph with a tainted compile step', async () => {
  const p = await plan(ISSUE_EXAMPLE, { secrets: ['GIT_TOKEN'] });
  assert.equal(p.spec.final, 'api');
  assert.deepEqual(p.spec.steps['compile']!.artifacts, [{ from: '/out/server', to: 'bin/server' }]);
  assert.deepEqual(
    p.nodes.map((n) => [n.name, n.deps]),
    [
      ['compile', []],
      ['api', ['compile']],
      ['web', ['compile']],
    ],
  );
  assert.deepEqual([...p.tainted], ['compile']);
});

test('invalid build files: every problem named by its dotted path, before anything builds', async () => {
  const cases: [string, RegExp, Parameters<typeof plan>[1]?][] = [
    ['steps:\n  a: { depends_on: [b] }\n  b: { depends_on: [a] }\nfinal: a', /steps: dependency cycle a → b → a/],
    ['steps:\n  a: { depends_on: [nope] }\nfinal: a', /steps\.a\.depends_on\[0\]: unknown step "nope"/],
    [
      'steps:\n  a: { dockerfile: Dockerfile.missing }\n',
      /steps\.a\.dockerfile: Dockerfile\.missing is not in the source directory/,
    ],
    [
      'steps:\n  a: { artifacts: ["out/x:bin/x"] }\n',
      /steps\.a\.artifacts\[0\]: source "out\/x" must be an absolute path/,
    ],
    [
      'steps:\n  a: { artifacts: ["/out/x:../x"] }\n',
      /steps\.a\.artifacts\[0\]: destination "\.\.\/x" must stay inside the build context/,
    ],
    [
      'steps:\n  a: { artifacts: ["/out/x"] }\n',
      /steps\.a\.artifacts\[0\]: must be "\/path\/in\/image:dest\/in\/context"/,
    ],
    ['steps:\n  a: { dokerfile: X }\n', /steps\.a\.dokerfile: unknown key/],
    ['steps:\n  a: {}\nbuild: x\n', /build: unknown key/],
    ['steps:\n  a: {}\n  b: {}\n', /final: required when there is more than one step/],
    ['steps:\n  a: {}\nfinal: z\n', /final: unknown step "z"/],
    ['steps:\n  Bad_Name: {}\n', /steps\.Bad_Name: a step name is lowercase/],
    ['steps: {}\n', /steps: at least one step/],
    ['steps:\n  a: { depends_on: [a] }\n', /steps\.a\.depends_on\[0\]: a step cannot depend on itself/],
    ['steps:\n  a: [unclosed\n', /build\.yml is invalid: line \d+/],
    ['steps:\n  a: { dockerfile: "Dockerfile.${T}" }\n', /steps\.a\.dockerfile: \$\{T\} is not set/],
    [
      'steps:\n  a: { secrets: [TOKEN] }\n  b: { depends_on: [a] }\nfinal: b\n',
      /steps\.a\.secrets\[0\]: secret TOKEN was not given/,
    ],
    ['steps:\n  a: {}\n', /secret EXTRA was given but no step lists it/, { secrets: ['EXTRA'] }],
    [
      'steps:\n  a: { secrets: [TOKEN] }\n',
      /steps\.a\.secrets: the final step cannot use secrets/,
      { secrets: ['TOKEN'] },
    ],
    [
      'steps:\n  a: { secrets: [TOKEN] }\n  b: { dockerfile: Dockerfile.api }\nfinal: b\n',
      /steps\.b\.dockerfile: the final step builds FROM "a", which uses secrets/,
      { secrets: ['TOKEN'], dockerfiles: { 'Dockerfile.api': 'FROM a\n' } },
    ],
  ];
  for (const [text, message, opts] of cases) {
    await assert.rejects(plan(text, opts), (err: Error & { code?: string; hint?: string }) => {
      assert.equal(err.code, 'INVALID_INPUT', text);
      assert.match(err.message, message, text);
      assert.ok(err.hint, 'has a hint');
      return true;
    });
  }
});

test('substitution from --env and the environment happens before validation', async () => {
  const p = await plan('steps:\n  a: { dockerfile: "Dockerfile.${T}", args: { V: "${V:-1}" } }\n', {
    vars: { T: 'api' },
  });
  assert.equal(p.spec.steps['a']!.dockerfile, 'Dockerfile.api');
  assert.deepEqual(p.spec.steps['a']!.args, { V: '1' });
});

test('FROM <step> is an implicit dependency (and part of cycle detection)', async () => {
  const p = await plan(
    'steps:\n  base: { dockerfile: Dockerfile.build }\n  api: { dockerfile: Dockerfile.api }\nfinal: api\n',
    {
      dockerfiles: { 'Dockerfile.api': 'FROM base\nRUN true\n' },
    },
  );
  assert.deepEqual(p.nodes.find((n) => n.name === 'api')!.deps, ['base']);
  await assert.rejects(
    plan(
      'steps:\n  a: { dockerfile: Dockerfile.api }\n  b: { dockerfile: Dockerfile.web, depends_on: [a] }\nfinal: b\n',
      { dockerfiles: { 'Dockerfile.api': 'FROM b\n' } },
    ),
    /dependency cycle/,
  );
});

test('artifact paths and cycles (pure helpers)', () => {
  assert.deepEqual(parseArtifact('/out/dir/:static/'), { from: '/out/dir', to: 'static' });
  assert.equal(typeof parseArtifact('/:x'), 'string');
  assert.deepEqual(
    findCycle([
      { name: 'a', deps: ['b'] },
      { name: 'b', deps: ['c'] },
      { name: 'c', deps: ['a'] },
    ]),
    ['a', 'b', 'c', 'a'],
  );
  assert.equal(
    findCycle([
      { name: 'a', deps: [] },
      { name: 'b', deps: ['a'] },
    ]),
    null,
  );
  assert.equal(parsePipeline('steps:\n  only: {}\n', {}).final, 'only');
});
