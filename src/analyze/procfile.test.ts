import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlipwayError } from '../core/errors.js';
import { parseProcfile } from './procfile.js';

describe('parseProcfile', () => {
  const ok: Array<[string, string, Array<{ name: string; command: string; line: number }>]> = [
    ['one entry', 'web: node server.js\n', [{ name: 'web', command: 'node server.js', line: 1 }]],
    [
      'comments and blank lines',
      '# hi\n\nweb: a\n  # indented comment\nworker:   b --x  \n',
      [
        { name: 'web', command: 'a', line: 3 },
        { name: 'worker', command: 'b --x', line: 5 },
      ],
    ],
    [
      'CRLF',
      'web: a\r\nrelease: b\r\n',
      [
        { name: 'web', command: 'a', line: 1 },
        { name: 'release', command: 'b', line: 2 },
      ],
    ],
    [
      'colons in the command',
      'web: gunicorn app:app --bind 0.0.0.0:$PORT',
      [{ name: 'web', command: 'gunicorn app:app --bind 0.0.0.0:$PORT', line: 1 }],
    ],
    ['no space after colon', 'clock:bin/clock', [{ name: 'clock', command: 'bin/clock', line: 1 }]],
    ['empty file', '', []],
  ];
  for (const [name, text, expected] of ok) {
    it(`parses: ${name}`, () => assert.deepEqual(parseProcfile(text), expected));
  }

  const bad: Array<[string, string, number, RegExp]> = [
    ['not an entry', 'web: a\nnonsense here\n', 2, /expected "name: command"/],
    ['empty command', 'web:\n', 1, /has no command/],
    ['uppercase name', 'Web: a\n', 1, /invalid process type "Web"/],
    ['duplicate', 'web: a\nweb: b\n', 2, /already defined on line 1/],
  ];
  for (const [name, text, line, message] of bad) {
    it(`rejects: ${name}`, () => {
      assert.throws(
        () => parseProcfile(text, 'apps/api/Procfile'),
        (err: unknown) => {
          assert.ok(err instanceof SlipwayError);
          assert.equal(err.code, 'PROCFILE_INVALID');
          assert.match(err.message, new RegExp(`^apps/api/Procfile:${line}: `));
          assert.match(err.message, message);
          assert.deepEqual(err.details, { file: 'apps/api/Procfile', line });
          assert.ok(err.hint);
          return true;
        },
      );
    });
  }
});
