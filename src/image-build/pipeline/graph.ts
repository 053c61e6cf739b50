import type { Artifact, PipelineSpec } from './schema.js';

/** The step graph (pure): dependencies, validation, cycles. */

export interface GraphNode {
  name: string;
  deps: string[];
}

/** A cycle as a path (`a → b → a`), or null. Unknown dependencies are ignored here. */
export function findCycle(nodes: GraphNode[]): string[] | null {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | null => {
    if (state.get(name) === 'done') return null;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of byName.get(name)?.deps ?? []) {
      if (!byName.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return null;
  };
  for (const node of nodes) {
    const cycle = visit(node.name);
    if (cycle) return cycle;
  }
  return null;
}

/**
 * The graph of a pipeline: `depends_on` plus the steps a Dockerfile builds FROM (an implicit
 * dependency). Returns the nodes and every problem found, each as `dotted.path: message`.
 */
export function pipelineGraph(
  spec: PipelineSpec,
  fromRefs: Record<string, string[]> = {},
): { nodes: GraphNode[]; problems: string[] } {
  const names = new Set(Object.keys(spec.steps));
  const problems: string[] = [];
  const nodes: GraphNode[] = [];
  for (const [name, step] of Object.entries(spec.steps)) {
    step.depends_on.forEach((dep, i) => {
      if (dep === name) problems.push(`steps.${name}.depends_on[${i}]: a step cannot depend on itself`);
      else if (!names.has(dep))
        problems.push(`steps.${name}.depends_on[${i}]: unknown step "${dep}" (steps: ${[...names].join(', ')})`);
    });
    for (const ref of fromRefs[name] ?? []) {
      if (ref === name) problems.push(`steps.${name}.dockerfile: ${step.dockerfile} builds FROM its own step`);
    }
    const deps = [...new Set([...step.depends_on, ...(fromRefs[name] ?? [])])].filter(
      (d) => d !== name && names.has(d),
    );
    nodes.push({ name, deps });
  }
  if (!names.has(spec.final)) problems.push(`final: unknown step "${spec.final}" (steps: ${[...names].join(', ')})`);
  const cycle = findCycle(nodes);
  if (cycle) problems.push(`steps: dependency cycle ${cycle.join(' → ')}`);
  problems.push(...artifactCollisions(spec, nodes));
  return { nodes, problems };
}

/** An artifact as it reaches a step's context: which ancestor exports it, and its place in that step's list. */
export interface IncomingArtifact {
  step: string;
  index: number;
  artifact: Artifact;
}

/**
 * Every artifact in a step's build context: those of all its ancestors (dependencies, their
 * dependencies, …), deepest first, so a step two levels down sees what the first step made.
 */
export function incomingArtifacts(spec: PipelineSpec, nodes: GraphNode[], name: string): IncomingArtifact[] {
  const order = topologicalOrder(nodes);
  const from = ancestors(nodes, name);
  return order
    .filter((step) => from.has(step))
    .flatMap((step) => (spec.steps[step]?.artifacts ?? []).map((artifact, index) => ({ step, index, artifact })));
}

/** Steps ordered so each comes after its dependencies (the graph has no cycle when this is used). */
function topologicalOrder(nodes: GraphNode[]): string[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const dep of byName.get(name)?.deps ?? []) visit(dep);
    out.push(name);
  };
  nodes.forEach((n) => visit(n.name));
  return out;
}

/** `a` and `a/b` (or the same path twice): one would overwrite or land inside the other. */
function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/** Two artifacts reaching one step's context at the same (or a nested) destination: an error naming both. */
function artifactCollisions(spec: PipelineSpec, nodes: GraphNode[]): string[] {
  const problems = new Set<string>();
  if (findCycle(nodes)) return [];
  for (const node of nodes) {
    const incoming = incomingArtifacts(spec, nodes, node.name);
    incoming.forEach((a, i) => {
      for (const b of incoming.slice(i + 1)) {
        if (!overlaps(a.artifact.to, b.artifact.to)) continue;
        const what =
          a.artifact.to === b.artifact.to
            ? `both export ${a.artifact.to}`
            : `export ${a.artifact.to} and ${b.artifact.to}`;
        problems.add(
          `steps.${node.name}: steps.${a.step}.artifacts[${a.index}] and steps.${b.step}.artifacts[${b.index}] ` +
            `${what} into its build context; give them different destinations`,
        );
      }
    });
  }
  return [...problems];
}

/** Every step the given steps build on, directly or not (for secret taint through FROM). */
export function ancestors(
  nodes: GraphNode[],
  name: string,
  edges: (n: GraphNode) => string[] = (n) => n.deps,
): Set<string> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const out = new Set<string>();
  const walk = (n: string) => {
    for (const dep of edges(byName.get(n) ?? { name: n, deps: [] })) {
      if (!out.has(dep)) {
        out.add(dep);
        walk(dep);
      }
    }
  };
  walk(name);
  return out;
}
