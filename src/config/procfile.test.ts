import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProcfile, procfileProcesses } from './procfile.js';
import { SlipwayError } from '../core/errors.js';

test('parses entries, skips comments and blank lines, puts web first', () => {
  const entries = parseProcfile(
    '# processes\nworker: node worker.js\n\nweb: node server.js --port $PORT\nrelease: node migrate.js\n',
  );
  assert.deepEqual(entries, [
    { type: 'web', command: 'node server.js --port $PORT', line: 4 },
    { type: 'worker', command: 'node worker.js', line: 2 },
    { type: 'release', command: 'node migrate.js', line: 5 },
  ]);
  assert.deepEqual(procfileProcesses(entries), {
    web: 'node server.js --port $PORT',
    worker: 'node worker.js',
    release: 'node migrate.js',
  });
});

test('a command may contain colons', () => {
  assert.equal(
    parseProcfile('web: gunicorn app:wsgi -b 0.0.0.0:$PORT')[0]!.command,
    'gunicorn app:wsgi -b 0.0.0.0:$PORT',
  );
});

const cases: [string, string, RegExp][] = [
  ['no colon', 'web node server.js', /Procfile:1: expected "type: command"/],
  ['empty command', 'web:', /Procfile:1: process type "web" has no command/],
  ['bad type', 'Web Server: x', /Procfile:1: expected/],
  ['uppercase type', 'WEB: node x', /Procfile:1: invalid process type "WEB"/],
  ['duplicate', 'web: a\nweb: b', /Procfile:2: process type "web" is defined twice/],
  ['empty file', '# nothing\n', /Procfile: no process types defined/],
];

for (const [name, text, message] of cases) {
  test(`malformed Procfile: ${name}`, () => {
    assert.throws(
      () => parseProcfile(text),
      (err: unknown) => {
        assert.ok(err instanceof SlipwayError);
        assert.equal(err.code, 'PROCFILE_INVALID');
        assert.match(err.message, message);
        assert.ok(err.hint);
        return true;
      },
    );
  });
}
