import type { RebalanceResult } from './node-moves.js';

export interface AutoRebalanceOptions {
  /** Plans (dryRun) or applies the moves. */
  rebalance: (opts: { dryRun: boolean }) => Promise<RebalanceResult>;
  /** Whether it may look now: Swarm mode on, and no deployment or move of any app running. */
  idle: () => boolean;
  log: (message: string) => void;
  /** How often it looks (default 10 s). The same uneven plan must be seen twice in a row: the nodes are steady. */
  intervalMs?: number;
  /** After a rebalance that failed or left things uneven, how many looks it skips (default 30: 5 minutes). */
  backoffLooks?: number;
}

/**
 * SLIPWAY_AUTO_REBALANCE=on: once a node came back (or joined) and the cluster is steady, the processes are
 * spread again with the same zero-downtime moves as `nodes:rebalance`. Never while anything is deploying.
 * Returns the function that stops it.
 */
export function startAutoRebalance(opts: AutoRebalanceOptions): () => void {
  const backoffLooks = opts.backoffLooks ?? 30;
  let previous = '';
  let skip = 0;
  let busy = false;
  const look = async () => {
    if (busy || !opts.idle()) return;
    if (skip > 0) {
      skip -= 1;
      return;
    }
    busy = true;
    try {
      const plan = await opts.rebalance({ dryRun: true });
      const key = JSON.stringify(plan.services.map((s) => [s.service, s.moves]));
      if (plan.services.length === 0 || key !== previous || !opts.idle()) {
        previous = plan.services.length === 0 ? '' : key;
        return;
      }
      previous = '';
      opts.log(`auto-rebalance: ${plan.services.length} process type(s) are uneven; moving them`);
      const done = await opts.rebalance({ dryRun: false });
      opts.log(`auto-rebalance: moved ${done.moved} process(es)`);
      if (done.remaining.length > 0) skip = backoffLooks;
    } catch (err) {
      opts.log(`auto-rebalance failed: ${err instanceof Error ? err.message : String(err)}`);
      skip = backoffLooks;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void look(), opts.intervalMs ?? 10_000);
  timer.unref();
  return () => clearInterval(timer);
}
