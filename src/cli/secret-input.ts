import { SlipwayError } from '../core/errors.js';

/** A secret piped on stdin (`--password-stdin`, `--token-stdin`): never on the command line. */
export async function readSecretStdin(usage: string, what = 'the password'): Promise<string> {
  if (process.stdin.isTTY)
    throw new SlipwayError('INVALID_INPUT', `${what} is read from a pipe, not a terminal`, { hint: usage });
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.length > 8192) throw new SlipwayError('INVALID_INPUT', `${what} on stdin is too long`);
  }
  return text.replace(/\r?\n$/, '');
}

/** True when the user can be asked (stdin and stderr are terminals). */
export function canPrompt(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}

/** Asks on the terminal (the question on stderr); `hidden` echoes nothing (passwords, tokens). */
export function ask(question: string, opts: { hidden?: boolean } = {}): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    process.stderr.write(question);
    let answer = '';
    const wasRaw = stdin.isRaw;
    stdin.setRawMode(true);
    stdin.resume();
    const done = (err?: Error) => {
      stdin.setRawMode(wasRaw);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(answer);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004')
          return done(new SlipwayError('ABORTED', 'cancelled', { details: { exitCode: 130 } }));
        if (ch === '\u007f' || ch === '\b') {
          if (answer.length > 0) {
            answer = answer.slice(0, -1);
            if (!opts.hidden) process.stderr.write('\b \b');
          }
          continue;
        }
        if (ch < ' ') continue;
        answer += ch;
        if (!opts.hidden) process.stderr.write(ch);
        if (answer.length > 8192) return done(new SlipwayError('INVALID_INPUT', 'that answer is too long'));
      }
    };
    stdin.on('data', onData);
  });
}
