import type { ContainerEngine } from '../engine/port.js';
import { SlipwayError } from '../core/errors.js';

/** A container's exit while a step waits on it (probe, HAProxy UP, process check): the wait ends at once. */
export interface ExitWatch {
  /** Settles with the exit code when the container exits; rejects when the watch is cancelled or the engine fails. */
  exited: Promise<number>;
  cancel(): void;
}

/** Watches a container through the engine's wait, until `cancel` (or the parent signal). */
export function watchExit(engine: ContainerEngine, containerId: string, parent?: AbortSignal): ExitWatch {
  const controller = new AbortController();
  const signal = parent ? AbortSignal.any([parent, controller.signal]) : controller.signal;
  const exited = engine.waitContainer(containerId, signal);
  exited.catch(() => undefined);
  return { exited, cancel: () => controller.abort() };
}

/** Runs `work` unless the container exits first; then throws `onExit(code)`. */
export async function unlessExited<T>(
  watch: ExitWatch,
  work: Promise<T>,
  onExit: (code: number) => Promise<SlipwayError>,
): Promise<T> {
  const exit = watch.exited.then(
    async (code) => {
      throw await onExit(code);
    },
    () => new Promise<never>(() => {}), // the watch failed or was cancelled: only `work` decides
  );
  try {
    return await Promise.race([work, exit]);
  } finally {
    watch.cancel();
  }
}

/** What an exit code usually means, for the hint. */
export function exitCodeHint(code: number): string {
  if (code === 137) return 'it was killed (SIGKILL): out of memory (see its memory limit) or killed from outside';
  if (code === 127) return 'the command was not found in the image: check the Procfile command or the image CMD';
  if (code === 126) return 'the command is not executable: check its file mode and interpreter line';
  if (code === 143) return 'it was stopped with SIGTERM from outside';
  return 'the app stopped by itself: its last log lines are below (`slipway logs` has more)';
}

/** CONTAINER_FAILED "web.1 exited with code 3" with the container's last log lines. */
export function containerExitedError(dyno: string, code: number | undefined, logs: string[], when = ''): SlipwayError {
  const what = code === undefined ? 'exited' : `exited with code ${code}`;
  return new SlipwayError('CONTAINER_FAILED', `${dyno} ${what}${when ? ` ${when}` : ''}`, {
    hint: code === undefined ? 'its last log lines are below (`slipway logs` has more)' : exitCodeHint(code),
    details: { dyno, ...(code === undefined ? {} : { exitCode: code }), logs },
  });
}
