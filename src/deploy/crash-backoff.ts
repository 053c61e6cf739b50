/**
 * Pure restart policy for crashed dynos: the first restart at once, then growing delays with a cap;
 * a dyno that ran long enough before it died starts a fresh count; several crashes within a window
 * make a crash loop (shown in `ps` and the deploy log).
 */

export interface RestartPolicy {
  /** Delay before the second restart in a row; it doubles for each further crash. */
  baseDelayMs: number;
  /** The longest delay between restarts. */
  maxDelayMs: number;
  /** A dyno that ran at least this long before it died counts as having been healthy: its count restarts. */
  stableMs: number;
  /** This many crashes within `windowMs` (with no stable run between them) is a crash loop. */
  loopCrashes: number;
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  stableMs: 2 * 60_000,
  loopCrashes: 3,
  windowMs: 5 * 60_000,
};

/** One dyno's crash history (stored, so it outlives a server restart). */
export interface DynoCrashState {
  app: string;
  /** `web.1` */
  dyno: string;
  /** The release it crashed in: a new release starts from a clean slate. */
  release: number;
  /** Restarts the supervisor made for this dyno in this release. */
  restarts: number;
  /** Times (ms since the epoch) of the crashes since its last stable run, within the window. */
  crashes: number[];
  lastExitCode?: number;
  /** The container whose death was counted last (one death is counted once, by event or by reconcile). */
  lastContainer?: string;
  /** When the next restart may happen (ms since the epoch); unset once it was restarted. */
  nextRestartAt?: number;
}

export interface Crash {
  containerId: string;
  release: number;
  /** When it died (ms since the epoch). */
  atMs: number;
  exitCode?: number;
  /** How long it had been running, when known. */
  ranMs?: number;
}

/** The delay before restarting after the `n`-th crash in a row (n ≥ 1): 0, base, 2·base, 4·base, … ≤ max. */
export function restartDelayMs(n: number, policy: RestartPolicy): number {
  if (n <= 1) return 0;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 2));
}

/** Counts a crash (once per container) and sets when the dyno may be restarted. */
export function recordCrash(
  state: DynoCrashState | undefined,
  app: string,
  dyno: string,
  crash: Crash,
  policy: RestartPolicy,
): DynoCrashState {
  const current = state && state.release === crash.release ? state : undefined;
  if (current?.lastContainer === crash.containerId) return current;
  const stable = crash.ranMs !== undefined && crash.ranMs >= policy.stableMs;
  const recent = stable
    ? []
    : (current?.crashes ?? []).filter((t) => crash.atMs - t < policy.windowMs && t <= crash.atMs);
  const crashes = [...recent, crash.atMs];
  return {
    app,
    dyno,
    release: crash.release,
    restarts: current?.restarts ?? 0,
    crashes,
    ...(crash.exitCode === undefined ? {} : { lastExitCode: crash.exitCode }),
    lastContainer: crash.containerId,
    nextRestartAt: crash.atMs + restartDelayMs(crashes.length, policy),
  };
}

/** The dyno was restarted (a new container is up). */
export function recordRestart(state: DynoCrashState): DynoCrashState {
  const next: DynoCrashState = { ...state, restarts: state.restarts + 1 };
  delete next.nextRestartAt;
  return next;
}

/** Whether the dyno keeps dying: `loopCrashes` crashes within the window before `nowMs`. */
export function isCrashLoop(state: DynoCrashState, nowMs: number, policy: RestartPolicy): boolean {
  return state.crashes.filter((t) => nowMs - t < policy.windowMs).length >= policy.loopCrashes;
}

/** Whether its restart is due at `nowMs`. */
export function restartDue(state: DynoCrashState | undefined, nowMs: number): boolean {
  return state?.nextRestartAt === undefined || state.nextRestartAt <= nowMs;
}

/** "web.1 crashed 3 times in 41 s (last exit code 3): crash loop, next restart in 4 s" */
export function describeCrashes(state: DynoCrashState, nowMs: number, policy: RestartPolicy): string {
  const n = state.crashes.length;
  const span = n > 1 ? ` in ${seconds(state.crashes[n - 1]! - state.crashes[0]!)}` : '';
  const code = state.lastExitCode === undefined ? '' : ` (last exit code ${state.lastExitCode})`;
  const what = n === 1 ? `${state.dyno} crashed${code}` : `${state.dyno} crashed ${n} times${span}${code}`;
  const loop = isCrashLoop(state, nowMs, policy) ? ': crash loop' : '';
  if (state.nextRestartAt === undefined) return `${what}${loop}`;
  const wait = state.nextRestartAt - nowMs;
  return `${what}${loop}, ${wait > 0 ? `next restart in ${seconds(wait)}` : 'restarting now'}`;
}

function seconds(ms: number): string {
  return `${Math.max(0, Math.ceil(ms / 1000))} s`;
}
