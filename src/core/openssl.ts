import { execFile } from 'node:child_process';
import { SlipwayError } from './errors.js';

/**
 * Runs `openssl ARGS…` (argument array, no shell). A failure is SlipwayError INTERNAL saying what could not
 * be made (`what`, e.g. "the default TLS certificate"), with openssl's last output lines in the details.
 */
export function runOpenssl(bin: string, args: string[], what: string, missingHint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: 30_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        new SlipwayError(
          'INTERNAL',
          missing ? `cannot make ${what}: ${bin} not found` : `openssl failed to make ${what}`,
          {
            hint: missing ? missingHint : "see openssl's output in the details",
            cause: err,
            details: { output: String(stderr).trim().split('\n').slice(-5).join('\n') },
          },
        ),
      );
    });
  });
}
