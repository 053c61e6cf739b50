import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { shellAssignments, shellQuote } from './shell-quote.js';

describe('shellQuote', () => {
  it("single-quotes, writing ' as '\\''", () => {
    assert.equal(shellQuote('plain'), "'plain'");
    assert.equal(shellQuote(''), "''");
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(shellQuote('$(x) `y` \\ "z"'), '\'$(x) `y` \\ "z"\'');
  });

  it('gives every value back byte for byte through eval in sh and bash', () => {
    const config = {
      A: "'; echo pwned; '",
      B: '$(echo pwned)`echo pwned`${PATH}',
      C: 'two\nlines\n\n',
      D: '\\\\\\',
      E: "'''",
      F: '!!',
    };
    const script = `${shellAssignments(config).join('\n')}\nprintf '%s\\0' "$A" "$B" "$C" "$D" "$E" "$F"`;
    for (const shell of ['sh', 'bash']) {
      const out = execFileSync(shell, ['-c', script], { encoding: 'utf8', env: { PATH: process.env['PATH'] } });
      assert.deepEqual(out.split('\0').slice(0, -1), Object.values(config), shell);
    }
  });

  it('sorts by key', () => {
    assert.deepEqual(shellAssignments({ B: '2', A: '1' }), ["A='1'", "B='2'"]);
  });
});
