import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referencedVariables, substituteText, substituteValues } from './substitute.js';

test('substitutes ${VAR}, ${VAR:-default} and keeps $${ literal', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['Dockerfile.${TARGET}', { TARGET: 'api' }, 'Dockerfile.api'],
    ['${A}-${B}', { A: '1', B: '2' }, '1-2'],
    ['${V:-1.0}', {}, '1.0'],
    ['${V:-1.0}', { V: '' }, '1.0'],
    ['${V:-1.0}', { V: '2.0' }, '2.0'],
    ['$${NOT}', {}, '${NOT}'],
    ['$HOME stays', {}, '$HOME stays'],
    ['${EMPTY}', { EMPTY: '' }, ''],
  ];
  for (const [text, vars, expected] of cases) assert.equal(substituteText(text, vars), expected, text);
});

test('an unset variable is an error naming the dotted path', () => {
  assert.throws(
    () => substituteValues({ steps: { api: { args: { VERSION: '${VERSION}' } } } }, {}),
    /steps\.api\.args\.VERSION: \$\{VERSION\} is not set/,
  );
  assert.throws(
    () => substituteValues({ steps: { a: { depends_on: ['${X}'] } } }, {}),
    /steps\.a\.depends_on\[0\]: \$\{X\}/,
  );
});

test('referenced variables (for the CLI to send)', () => {
  assert.deepEqual(referencedVariables('a: ${B}\nc: ${A:-x} $${C} ${B}'), ['A', 'B']);
});
