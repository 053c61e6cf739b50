import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlipwayError } from '../core/errors.js';
import { commentedProcfileEntries, parseProcfile, procfileProcesses } from './procfile.js';

describe('parseProcfile (the one parser: deploys, analysis, pipelines)', () => {
  const ok: Array<[string, string, Array<{ type: string; command: string; line: number }>]> = [
    ['one entry', 'web: node server.js\n', [{ type: 'web', command: 'node server.js', line: 1 }]],
    [
      'comments and blank lines, file order',
      '# hi\n\nworker:   b --x  \n  # indented comment\nweb: a\n',
      [
        { type: 'worker', command: 'b --x', line: 3 },
        { type: 'web', command: 'a', line: 5 },
      ],
    ],
    [
      'a commented-out release is not a process (python-getting-started shape)',
      'web: gunicorn --config gunicorn.conf.py gettingstarted.wsgi\n\n# Uncomment this `release` process:\n' +
        '#release: ./manage.py migrate --no-input\n',
      [{ type: 'web', command: 'gunicorn --config gunicorn.conf.py gettingstarted.wsgi', line: 1 }],
    ],
    [
      'CRLF',
      'web: a\r\nrelease: b\r\n',
      [
        { type: 'web', command: 'a', line: 1 },
        { type: 'release', command: 'b', line: 2 },
      ],
    ],
    [
      'colons in the command',
      'web: gunicorn app:app --bind 0.0.0.0:$PORT',
      [{ type: 'web', command: 'gunicorn app:app --bind 0.0.0.0:$PORT', line: 1 }],
    ],
    ['no space after the colon', 'clock:bin/clock', [{ type: 'clock', command: 'bin/clock', line: 1 }]],
  ];
  for (const [name, text, expected] of ok) it(`parses: ${name}`, () => assert.deepEqual(parseProcfile(text), expected));

  const bad: Array<[string, string, number, RegExp]> = [
    ['not an entry', 'web: a\nnonsense here\n', 2, /expected "type: command"/],
    ['a name with a space', 'Web Server: x', 1, /expected "type: command"/],
    ['empty command', 'web:\n', 1, /process type "web" has no command/],
    ['uppercase type', 'WEB: node x', 1, /invalid process type "WEB"/],
    ['duplicate', 'web: a\nweb: b\n', 2, /process type "web" is defined twice \(first on line 1\)/],
    ['only comments', '# nothing\n#web: x\n', 0, /no process types defined/],
    ['empty file', '', 0, /no process types defined/],
  ];
  for (const [name, text, line, message] of bad) {
    it(`rejects: ${name}`, () => {
      assert.throws(
        () => parseProcfile(text, 'apps/api/Procfile'),
        (err: unknown) => {
          assert.ok(err instanceof SlipwayError);
          assert.equal(err.code, 'PROCFILE_INVALID');
          assert.match(err.message, new RegExp(`^apps/api/Procfile${line > 0 ? `:${line}` : ''}: `));
          assert.match(err.message, message);
          assert.deepEqual(err.details, { file: 'apps/api/Procfile', line });
          assert.ok(err.hint);
          return true;
        },
      );
    });
  }
});

describe('procfileProcesses and commented entries', () => {
  it('maps types to commands, web first, release included', () => {
    const entries = parseProcfile('worker: node worker.js\nweb: node server.js\nrelease: node migrate.js\n');
    assert.deepEqual(Object.entries(procfileProcesses(entries)), [
      ['web', 'node server.js'],
      ['worker', 'node worker.js'],
      ['release', 'node migrate.js'],
    ]);
  });
  it('finds commented-out entries, never prose', () => {
    assert.deepEqual(
      commentedProcfileEntries('web: a\n# Uncomment this `release` process if you use a database:\n#release: x y\n'),
      [{ type: 'release', command: 'x y', line: 3 }],
    );
  });
});
