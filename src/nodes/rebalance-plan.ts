/**
 * `nodes:rebalance`: which services are packed unevenly across the nodes that may run them (pure).
 * Swarm places tasks when they start and never moves them later, so after a node comes back (or is
 * added) a service can sit on one node. The plan names, per service, how many tasks leave which node
 * for which; applying it (a zero-downtime move through the deploy planner) is the rollout's job.
 */

export interface RebalanceNode {
  id: string;
  name: string;
  /** Ready and active: new tasks may be placed there. */
  eligible: boolean;
}

export interface RebalanceTask {
  service: string;
  nodeId: string;
}

export interface TaskMove {
  from: string;
  to: string;
  count: number;
}

export interface ServiceRebalance {
  service: string;
  /** Running tasks per node name, before. */
  before: Record<string, number>;
  /** Running tasks per node name, after the moves. */
  after: Record<string, number>;
  moves: TaskMove[];
}

/**
 * Every eligible node (ready, active, allowed by `mayRun`) gets ⌊n/k⌋ tasks of a service, and the n mod k nodes
 * that already run most get one more (fewest moves); tasks on ineligible nodes always move. Services already
 * even are left out.
 * Ties break by node name, so the plan is the same for the same input.
 */
export function planRebalance(
  nodes: RebalanceNode[],
  tasks: RebalanceTask[],
  mayRun: (service: string, nodeId: string) => boolean | undefined = () => true,
): ServiceRebalance[] {
  const ready = nodes.filter((n) => n.eligible).sort((a, b) => a.name.localeCompare(b.name));
  const nameOf = new Map(nodes.map((n) => [n.id, n.name]));
  const services = [...new Set(tasks.map((t) => t.service))].sort();
  const plans: ServiceRebalance[] = [];
  for (const service of services) {
    // Only the nodes its placement allows; a service whose placement Slipway cannot evaluate is left to Swarm.
    const verdicts = ready.map((n) => mayRun(service, n.id));
    if (verdicts.includes(undefined)) continue;
    const eligible = ready.filter((_, i) => verdicts[i] === true);
    if (eligible.length === 0) continue;
    const before: Record<string, number> = {};
    for (const t of tasks.filter((x) => x.service === service)) {
      const name = nameOf.get(t.nodeId) ?? t.nodeId;
      before[name] = (before[name] ?? 0) + 1;
    }
    const total = Object.values(before).reduce((a, b) => a + b, 0);
    const base = Math.floor(total / eligible.length);
    const extra = total % eligible.length;
    const byLoad = [...eligible].sort((a, b) => (before[b.name] ?? 0) - (before[a.name] ?? 0));
    const target = new Map(byLoad.map((n, i) => [n.name, base + (i < extra ? 1 : 0)]));
    const surplus = Object.entries(before)
      .map(([name, count]) => ({ name, left: count - (target.get(name) ?? 0) }))
      .filter((s) => s.left > 0)
      .sort((a, b) => a.name.localeCompare(b.name));
    const deficit = eligible
      .map((n) => ({ name: n.name, left: (target.get(n.name) ?? 0) - (before[n.name] ?? 0) }))
      .filter((d) => d.left > 0);
    if (surplus.length === 0) continue;
    const moves: TaskMove[] = [];
    for (const s of surplus) {
      for (const d of deficit) {
        const count = Math.min(s.left, d.left);
        if (count <= 0) continue;
        moves.push({ from: s.name, to: d.name, count });
        s.left -= count;
        d.left -= count;
      }
    }
    const after = Object.fromEntries(eligible.map((n) => [n.name, target.get(n.name)!]).filter(([, c]) => c !== 0));
    plans.push({ service, before, after, moves });
  }
  return plans;
}
