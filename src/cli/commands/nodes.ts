import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SlipwayError } from '../../core/errors.js';
import { flag, has } from '../args.js';
import { table } from '../reporter.js';
import { JSON_OUTPUT, JSON_STREAM, type Command, type CommandContext } from '../command.js';
import { followOperation } from '../run-stream.js';
import type { AddResult, DrainResult, NodeList, NodeView } from '../../nodes/node-service.js';
import type { RebalanceResult } from '../../nodes/node-moves.js';

/** `--tls-dir DIR`: ca.pem, cert.pem, key.pem (DOCKER_CERT_PATH's layout), each at most 64 KiB. */
function readTlsDir(dir: string): { ca: string; cert: string; key: string } {
  const read = (name: string) => {
    const file = join(dir, name);
    try {
      if (statSync(file).size > 64 * 1024) throw new Error('larger than 64 KiB');
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new SlipwayError('INVALID_INPUT', `--tls-dir: cannot read ${file}: ${(err as Error).message}`, {
        hint: 'DIR holds ca.pem, cert.pem and key.pem, as DOCKER_CERT_PATH does',
      });
    }
  };
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
}

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
    summary:
      'list the servers: name, address, role, state, availability, tasks, CPU/memory, Docker version, ingress HAProxy',
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
            ingress: n.ingress ?? '-',
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
            { key: 'ingress', title: 'ingress' },
            { key: 'labels', title: 'labels' },
          ],
        ),
      );
      const failed = list.nodes.find((n) => n.ingressProblem);
      if (failed)
        ctx.output.out(
          `\ningress HAProxy could not be set up (retried every 30 s): ${failed.ingressProblem}\n` +
            'hint: see the server log; SLIPWAY_INGRESS_BASE_IMAGE must have haproxy and node, or apt-get and a mirror',
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
      {
        name: 'tls-dir',
        value: 'DIR',
        description:
          "with --engine tcp://HOST:2376: a TLS engine; DIR holds ca.pem (the engine certificate's CA), cert.pem " +
          'and key.pem (this client), as in DOCKER_CERT_PATH. They are kept sealed, for nodes:remove',
      },
      JSON_OUTPUT,
    ],
    examples: [
      'slipway nodes:add --advertise-addr 10.0.0.1',
      'slipway nodes:add --engine ssh://root@node2 --advertise-addr 10.0.0.1',
      'slipway nodes:add --engine unix:///tmp/node2.sock --advertise-addr 10.0.0.1',
      'slipway nodes:add --engine tcp://10.0.0.2:2376 --tls-dir ~/.docker/node2',
    ],
    summary: 'add a server: turns this installation into a Swarm if needed, then joins it or prints the command',
    details:
      'Without --engine, prints one command to run as root on the new server: it installs docker.io from ' +
      'Debian when Docker is missing and joins this Swarm as a worker. The command holds the join token, a ' +
      'secret that lets any machine join: do not paste it anywhere else. With --engine, Slipway joins the ' +
      'server itself and remembers the endpoint so `nodes:remove` can make it leave; ssh:// logs in with ' +
      'your key (BatchMode) and runs `docker system dial-stdio` there; tcp:// with --tls-dir speaks TLS and ' +
      "checks the engine's certificate against ca.pem. " +
      "This server's Docker must not have live-restore enabled (Swarm refuses it).",
    async run(ctx) {
      if (ctx.args.positionals.length > 0)
        throw new SlipwayError('INVALID_INPUT', 'nodes:add takes no arguments', {
          hint: 'slipway nodes:add [--engine DOCKER_HOST] [--advertise-addr ADDR]',
        });
      const engine = flag(ctx.args, 'engine');
      const advertiseAddr = flag(ctx.args, 'advertise-addr');
      const tlsDir = flag(ctx.args, 'tls-dir');
      const body = {
        ...(engine !== undefined ? { engine } : {}),
        ...(advertiseAddr ? { advertiseAddr } : {}),
        ...(tlsDir !== undefined ? { tls: readTlsDir(tlsDir) } : {}),
      };
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
    options: [JSON_STREAM],
    examples: ['slipway nodes:drain w1'],
    summary: 'move every process off a node with zero downtime, then mark it drained (nothing new goes there)',
    details:
      'The node is paused first (nothing new is placed there), then each app process on it is replaced on the ' +
      'other nodes the way a rolling deploy does it: the new one passes its check and is UP in the router ' +
      'before the old one drains and stops. Then the node is marked drained; Swarm stops what is left there ' +
      '(one-off processes). If a move fails, the node gets its availability back.',
    async run(ctx) {
      const name = oneNode(ctx, 'slipway nodes:drain NODE');
      const lines = ctx.api().stream('POST', nodePath(name, '/drain'), { type: 'application/json', data: '{}' });
      const result = (await followOperation(ctx, lines)) as DrainResult;
      if (!ctx.json) {
        const moved = `${result.moved} process(es) moved` + (result.retired ? `, ${result.retired} warm retired` : '');
        ctx.output.out(`drained ${describe(result.node)} (${moved})`);
      }
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
    options: [{ name: 'dry-run', description: 'only show the plan' }, JSON_STREAM],
    examples: ['slipway nodes:rebalance', 'slipway nodes:rebalance --dry-run'],
    summary: 'spread each process type evenly over the nodes it may run on, with zero downtime',
    details:
      'Swarm places a process when it starts and never moves it, so after a node comes back (or joins) the ' +
      'processes stay where they are. nodes:rebalance plans, per app and process type, the fewest moves that ' +
      'spread them over the ready, active nodes their placement allows, and applies them like a rolling ' +
      "deploy: while a move's replacement starts, the other nodes are paused so it lands on the planned node. " +
      'Set SLIPWAY_AUTO_REBALANCE=on on the server to rebalance by itself once the nodes are steady.',
    async run(ctx) {
      if (ctx.args.positionals.length > 0)
        throw new SlipwayError('INVALID_INPUT', 'nodes:rebalance takes no arguments', {
          hint: 'slipway nodes:rebalance [--dry-run]',
        });
      const dryRun = has(ctx.args, 'dry-run');
      const lines = ctx.api().stream('POST', '/v1/nodes/rebalance', {
        type: 'application/json',
        data: JSON.stringify({ dryRun }),
      });
      const result = (await followOperation(ctx, lines)) as RebalanceResult;
      if (ctx.json) return;
      if (result.services.length === 0) return ctx.output.out('every process type is spread evenly: nothing to move');
      for (const s of result.services) {
        const moves = s.moves.map((m) => `${m.count} ${m.from} → ${m.to}`).join(', ');
        ctx.output.out(`${s.app} ${s.process}: ${moves}`);
      }
      if (dryRun) return ctx.output.out('(plan only: run without --dry-run to move them)');
      ctx.output.out(`moved ${result.moved} process(es)`);
      for (const s of result.remaining)
        ctx.output.out(`still uneven: ${s.app} ${s.process} (${JSON.stringify(s.before)}): Swarm placed it elsewhere`);
    },
  },
];
