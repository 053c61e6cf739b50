import { SlipwayError } from '../../core/errors.js';
import { flag, has } from '../args.js';
import { table } from '../reporter.js';
import { JSON_OUTPUT, type Command, type CommandContext } from '../command.js';
import type { AddResult, NodeList, NodeView } from '../../nodes/node-service.js';
import type { ServiceRebalance } from '../../nodes/rebalance-plan.js';

const nodePath = (name: string, action = '') => `/v1/nodes/${encodeURIComponent(name)}${action}`;

function oneNode(ctx: CommandContext, usage: string): string {
  const [name, ...extra] = ctx.args.positionals;
  if (!name || extra.length > 0)
    throw new SlipwayError('INVALID_INPUT', name ? 'name one node' : 'which node?', {
      hint: `${usage} (names are in \`slipway nodes\`)`,
    });
  return name;
}

function memory(bytes: number): string {
  return bytes > 0 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : '-';
}

function labelsText(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return pairs.length ? pairs.join(',') : '-';
}

function describe(node: NodeView): string {
  const labels = labelsText(node.labels);
  return `${node.name}: ${node.role}, ${node.state}, ${node.availability}, ${node.tasks} task(s), labels ${labels}`;
}

function printNode(ctx: CommandContext, node: NodeView, text: string): void {
  ctx.output.out(ctx.json ? JSON.stringify({ node }, null, 2) : text);
}

export const nodesCommands: Command[] = [
  {
    name: 'nodes',
    group: 'server',
    options: [JSON_OUTPUT],
    examples: ['slipway nodes', 'slipway nodes --json'],
    summary: 'list the servers: name, address, role, state, availability, tasks, CPU/memory, Docker version',
    async run(ctx) {
      const list = await ctx.api().json<NodeList>('GET', '/v1/nodes');
      if (ctx.json) return ctx.output.out(JSON.stringify(list, null, 2));
      if (!list.swarm) ctx.output.out('one host, plain Docker (add a server: slipway nodes:add)');
      ctx.output.out(
        table(
          list.nodes.map((n) => ({
            ...n,
            name: n.self ? `${n.name} (this)` : n.name,
            role: n.leader && list.swarm ? `${n.role} (leader)` : n.role,
            cpu: n.cpus || '-',
            memory: memory(n.memoryBytes),
            labels: labelsText(n.labels),
            address: n.address || '-',
          })),
          [
            { key: 'name', title: 'name' },
            { key: 'address', title: 'address' },
            { key: 'role', title: 'role' },
            { key: 'state', title: 'state' },
            { key: 'availability', title: 'availability' },
            { key: 'tasks', title: 'tasks' },
            { key: 'cpu', title: 'cpu' },
            { key: 'memory', title: 'memory' },
            { key: 'engineVersion', title: 'docker' },
            { key: 'labels', title: 'labels' },
          ],
        ),
      );
    },
  },
  {
    name: 'nodes:add',
    group: 'server',
    options: [
      {
        name: 'engine',
        value: 'DOCKER_HOST',
        description:
          'join the server through its Docker endpoint (unix:///path.sock, tcp://HOST:PORT, ssh://USER@HOST)',
      },
      {
        name: 'advertise-addr',
        value: 'ADDR',
        description: "this server's address for the others, used when this call creates the Swarm",
        default: "Docker's choice (the only address, if there is one)",
      },
      JSON_OUTPUT,
    ],
    examples: [
      'slipway nodes:add --advertise-addr 10.0.0.1',
      'slipway nodes:add --engine ssh://root@node2 --advertise-addr 10.0.0.1',
      'slipway nodes:add --engine unix:///tmp/node2.sock --advertise-addr 10.0.0.1',
    ],
    summary: 'add a server: turns this installation into a Swarm if needed, then joins it or prints the command',
    details:
      'Without --engine, prints one command to run as root on the new server: it installs docker.io from ' +
      'Debian when Docker is missing and joins this Swarm as a worker. The command holds the join token, a ' +
      'secret that lets any machine join: do not paste it anywhere else. With --engine, Slipway joins the ' +
      'server itself and remembers the endpoint so `nodes:remove` can make it leave; ssh:// logs in with ' +
      'your key (BatchMode) and runs `docker system dial-stdio` there. TLS endpoints (tcp with ' +
      'certificates) are not supported yet. ' +
      "This server's Docker must not have live-restore enabled (Swarm refuses it).",
    async run(ctx) {
      if (ctx.args.positionals.length > 0)
        throw new SlipwayError('INVALID_INPUT', 'nodes:add takes no arguments', {
          hint: 'slipway nodes:add [--engine DOCKER_HOST] [--advertise-addr ADDR]',
        });
      const engine = flag(ctx.args, 'engine');
      const advertiseAddr = flag(ctx.args, 'advertise-addr');
      const body = { ...(engine !== undefined ? { engine } : {}), ...(advertiseAddr ? { advertiseAddr } : {}) };
      const result = await ctx.api().json<AddResult>('POST', '/v1/nodes', body);
      if (ctx.json) return ctx.output.out(JSON.stringify(result, null, 2));
      if (result.initialized) ctx.output.out(`this installation is now a Swarm manager (${result.managerAddr})`);
      if (result.node) return ctx.output.out(`joined ${describe(result.node)}`);
      ctx.output.out('run this as root on the new server (it holds the join token, a secret):');
      ctx.output.out(result.joinCommand ?? '');
    },
  },
  {
    name: 'nodes:drain',
    group: 'server',
    args: 'NODE',
    options: [JSON_OUTPUT],
    examples: ['slipway nodes:drain w1'],
    summary: 'move every task off a node, then mark it drained (nothing new is placed there)',
    async run(ctx) {
      const name = oneNode(ctx, 'slipway nodes:drain NODE');
      const { node } = await ctx.api().json<{ node: NodeView }>('POST', nodePath(name, '/drain'));
      printNode(ctx, node, `drained ${describe(node)}`);
    },
  },
  {
    name: 'nodes:activate',
    group: 'server',
    args: 'NODE',
    options: [JSON_OUTPUT],
    examples: ['slipway nodes:activate w1'],
    summary: 'let a drained node take tasks again (run nodes:rebalance to spread them)',
    async run(ctx) {
      const name = oneNode(ctx, 'slipway nodes:activate NODE');
      const { node } = await ctx.api().json<{ node: NodeView }>('POST', nodePath(name, '/activate'));
      printNode(ctx, node, `activated ${describe(node)}`);
    },
  },
  {
    name: 'nodes:remove',
    group: 'server',
    args: 'NODE',
    options: [
      { name: 'force', description: 'remove it even while tasks run there or it cannot be reached' },
      JSON_OUTPUT,
    ],
    examples: ['slipway nodes:remove w1', 'slipway nodes:remove w1 --force'],
    summary: 'remove a worker (refused while tasks run there: drain it first); one Slipway joined also leaves',
    async run(ctx) {
      const name = oneNode(ctx, 'slipway nodes:remove NODE [--force]');
      const query = has(ctx.args, 'force') ? '?force=true' : '';
      const { node } = await ctx.api().json<{ node: NodeView }>('DELETE', `${nodePath(name)}${query}`);
      printNode(ctx, node, `removed ${node.name}`);
    },
  },
  {
    name: 'nodes:label',
    group: 'server',
    args: 'NODE KEY=VALUE… | KEY-…',
    options: [JSON_OUTPUT],
    examples: ['slipway nodes:label w1 region=eu disk=ssd', 'slipway nodes:label w1 disk-'],
    summary: "set (k=v) or remove (k- or k=) a node's labels, which placement.TYPE settings select on",
    async run(ctx) {
      const [name, ...changes] = ctx.args.positionals;
      if (!name || changes.length === 0)
        throw new SlipwayError('INVALID_INPUT', name ? 'no label to change' : 'which node?', {
          hint: 'slipway nodes:label NODE region=eu (set) region- (remove)',
        });
      const { node } = await ctx.api().json<{ node: NodeView }>('POST', nodePath(name, '/labels'), { changes });
      printNode(ctx, node, `${node.name}: labels ${labelsText(node.labels)}`);
    },
  },
  {
    name: 'nodes:rebalance',
    group: 'server',
    options: [{ name: 'dry-run', description: 'only show the plan (the only mode for now)' }, JSON_OUTPUT],
    examples: ['slipway nodes:rebalance --dry-run'],
    summary: 'show which services are packed unevenly across the nodes, and the moves that would spread them',
    async run(ctx) {
      const { services } = await ctx.api().json<{ services: ServiceRebalance[] }>('GET', '/v1/nodes/rebalance/plan');
      if (ctx.json) return ctx.output.out(JSON.stringify({ services, applied: false }, null, 2));
      if (services.length === 0) return ctx.output.out('every service is spread evenly: nothing to move');
      for (const s of services) {
        const moves = s.moves.map((m) => `${m.count} ${m.from} → ${m.to}`).join(', ');
        ctx.output.out(`${s.service}: ${moves}`);
      }
      ctx.output.out('(plan only: applying the moves with zero downtime is not available yet)');
    },
  },
];
