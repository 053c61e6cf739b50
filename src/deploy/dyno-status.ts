import type { Formation, RestartMode } from '../core/types.js';
import { holdsAfterExit, type HeldDyno, type RestartModeOf } from './plan-heal.js';
import { runningFormation } from './stopped-types.js';
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
  /** How a container that is no longer running exited. */
  exitCode?: number;
  /** Left down by its type's restart mode (`never`, or `on-failure` after exit code 0). */
  held?: { mode: RestartMode; note: string };
}

/** "worker.1 exited with code 0: not restarted (restart mode on-failure)" */
export function heldNote(held: Pick<HeldDyno, 'dyno' | 'mode' | 'exitCode'>): string {
  const how = held.exitCode === undefined ? 'stopped' : `exited with code ${held.exitCode}`;
  return `${held.dyno} ${how}: not restarted (restart mode ${held.mode})`;
}

const STOPPED = new Set(['exited', 'dead', 'created']);

function exitOf(row: DynoRow): { exitCode?: number } {
  return row.exitCode === undefined ? {} : { exitCode: row.exitCode };
}

function dynosOf(formation: Formation): string[] {
  return Object.entries(formation).flatMap(([type, n]) => Array.from({ length: n }, (_, i) => `${type}.${i + 1}`));
}

/**
 * Pure: adds restart counts and crash states to `ps` rows. A formation dyno whose container stopped
 * and that no running container serves is `crashed` (Docker's state kept as `containerState`); a
 * crashed dyno with no container left (its failed restart was removed) gets a row of its own. A dyno
 * its restart mode leaves down says so (`held`); each dyno of a type stopped with `ps:stop` gets a
 * `stopped` row.
 */
export function withCrashStates<R extends DynoRow>(
  rows: R[],
  input: {
    release: number | null;
    formation: Formation;
    crashes: DynoCrashState[];
    nowMs: number;
    policy?: RestartPolicy;
    /** Types stopped with ps:stop. */
    stopped?: ReadonlySet<string>;
    modeOf?: RestartModeOf;
  },
): (R | DynoRow)[] {
  const policy = input.policy ?? DEFAULT_RESTART_POLICY;
  const modeOf = input.modeOf ?? (() => 'always');
  const stopped = input.stopped ?? new Set<string>();
  if (input.release === null) return rows;
  const label = `v${input.release}`;
  const states = new Map(input.crashes.filter((s) => s.release === input.release).map((s) => [s.dyno, s]));
  const formation = new Set(dynosOf(runningFormation(input.formation, stopped)));
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
    if (!STOPPED.has(row.state) || serving.has(row.dyno)) return annotated;
    const mode = modeOf(row.dyno.slice(0, row.dyno.lastIndexOf('.')));
    const held = holdsAfterExit(mode, { state: row.state, ...exitOf(row) })
      ? { held: { mode, note: heldNote({ dyno: row.dyno, mode, ...exitOf(row) }) } }
      : {};
    // An exit its mode accepts (code 0 under on-failure) is no crash, whatever happened before.
    if (!state || (held.held && mode === 'on-failure')) return { ...annotated, ...held };
    return { ...annotated, state: 'crashed', containerState: row.state, crash: view(state), ...held };
  });
  for (const type of [...stopped].sort()) {
    for (const dyno of dynosOf({ [type]: input.formation[type] ?? 0 }))
      out.push({ dyno, release: label, state: 'stopped', containerId: '', createdAt: '' });
  }
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
