import type { Formation } from '../core/types.js';
import {
  DEFAULT_RESTART_POLICY,
  describeCrashes,
  isCrashLoop,
  type DynoCrashState,
  type RestartPolicy,
} from './crash-backoff.js';

/** The crash view of one dyno in `ps`. */
export interface DynoCrashView {
  /** Crashes since its last stable run (within the policy's window). */
  crashes: number;
  /** It keeps dying: a crash loop. */
  loop: boolean;
  lastExitCode?: number;
  /** When the supervisor restarts it next (ISO), while it waits for its backoff. */
  nextRestartAt?: string;
  /** "web.1 crashed 3 times in 7 s (last exit code 3): crash loop, next restart in 2 s" */
  note: string;
}

/** The part of a `ps` row this module reads and adds to. */
export interface DynoRow {
  dyno: string;
  release: string;
  state: string;
  containerId: string;
  createdAt: string;
  /** Restarts the supervisor made for this dyno in the current release. */
  restarts?: number;
  /** Docker's own state when `state` says `crashed`. */
  containerState?: string;
  crash?: DynoCrashView;
}

const STOPPED = new Set(['exited', 'dead', 'created']);

/**
 * Pure: adds restart counts and crash states to `ps` rows. A formation dyno whose container stopped
 * and that no running container serves is `crashed` (Docker's state kept as `containerState`); a
 * crashed dyno with no container left (its failed restart was removed) gets a row of its own.
 */
export function withCrashStates<R extends DynoRow>(
  rows: R[],
  input: {
    release: number | null;
    formation: Formation;
    crashes: DynoCrashState[];
    nowMs: number;
    policy?: RestartPolicy;
  },
): (R | DynoRow)[] {
  const policy = input.policy ?? DEFAULT_RESTART_POLICY;
  if (input.release === null) return rows;
  const label = `v${input.release}`;
  const states = new Map(input.crashes.filter((s) => s.release === input.release).map((s) => [s.dyno, s]));
  const formation = new Set(
    Object.entries(input.formation).flatMap(([type, n]) => Array.from({ length: n }, (_, i) => `${type}.${i + 1}`)),
  );
  const serving = new Set(rows.filter((r) => r.state === 'running').map((r) => r.dyno));
  const view = (s: DynoCrashState): DynoCrashView => ({
    crashes: s.crashes.length,
    loop: isCrashLoop(s, input.nowMs, policy),
    ...(s.lastExitCode === undefined ? {} : { lastExitCode: s.lastExitCode }),
    ...(s.nextRestartAt === undefined ? {} : { nextRestartAt: new Date(s.nextRestartAt).toISOString() }),
    note: describeCrashes(s, input.nowMs, policy),
  });
  const out: (R | DynoRow)[] = rows.map((row) => {
    if (!formation.has(row.dyno)) return row;
    const state = states.get(row.dyno);
    const annotated = { ...row, restarts: row.release === label ? (state?.restarts ?? 0) : 0 };
    if (!state || !STOPPED.has(row.state) || serving.has(row.dyno)) return annotated;
    return { ...annotated, state: 'crashed', containerState: row.state, crash: view(state) };
  });
  const shown = new Set(rows.map((r) => r.dyno));
  for (const state of states.values()) {
    if (!formation.has(state.dyno) || shown.has(state.dyno) || state.nextRestartAt === undefined) continue;
    out.push({
      dyno: state.dyno,
      release: label,
      state: 'crashed',
      containerId: '',
      createdAt: '',
      restarts: state.restarts,
      crash: view(state),
    });
  }
  return out.sort((a, b) => a.dyno.localeCompare(b.dyno, undefined, { numeric: true }));
}
