import type { Formation } from '../core/types.js';

/**
 * The formation that should run: a type stopped with `ps:stop` runs 0 containers, while the stored
 * formation keeps its count for `ps:start`.
 */
export function runningFormation(formation: Formation, stopped: ReadonlySet<string>): Formation {
  if (stopped.size === 0) return formation;
  return Object.fromEntries(Object.entries(formation).map(([type, n]) => [type, stopped.has(type) ? 0 : n]));
}
