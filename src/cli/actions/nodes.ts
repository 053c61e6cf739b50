import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SlipwayError } from '../../core/errors.js';
import { flag, has } from '../args.js';
import { table } from '../reporter.js';
import type { CommandContext, CommandRuns } from '../command.js';
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

export const runs = {
  async nodes(ctx) {
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
  async 'nodes:add'(ctx) {
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
  async 'nodes:drain'(ctx) {
    const name = oneNode(ctx, 'slipway nodes:drain NODE');
    const lines = ctx.api().stream('POST', nodePath(name, '/drain'), { type: 'application/json', data: '{}' });
    const result = (await followOperation(ctx, lines)) as DrainResult;
    if (!ctx.json) {
      const moved = `${result.moved} process(es) moved` + (result.retired ? `, ${result.retired} warm retired` : '');
      ctx.output.out(`drained ${describe(result.node)} (${moved})`);
    }
  },
  async 'nodes:activate'(ctx) {
    const name = oneNode(ctx, 'slipway nodes:activate NODE');
    const { node } = await ctx.api().json<{ node: NodeView }>('POST', nodePath(name, '/activate'));
    printNode(ctx, node, `activated ${describe(node)}`);
  },
  async 'nodes:remove'(ctx) {
    const name = oneNode(ctx, 'slipway nodes:remove NODE [--force]');
    const query = has(ctx.args, 'force') ? '?force=true' : '';
    const { node } = await ctx.api().json<{ node: NodeView }>('DELETE', `${nodePath(name)}${query}`);
    printNode(ctx, node, `removed ${node.name}`);
  },
  async 'nodes:label'(ctx) {
    const [name, ...changes] = ctx.args.positionals;
    if (!name || changes.length === 0)
      throw new SlipwayError('INVALID_INPUT', name ? 'no label to change' : 'which node?', {
        hint: 'slipway nodes:label NODE region=eu (set) region- (remove)',
      });
    const { node } = await ctx.api().json<{ node: NodeView }>('POST', nodePath(name, '/labels'), { changes });
    printNode(ctx, node, `${node.name}: labels ${labelsText(node.labels)}`);
  },
  async 'nodes:rebalance'(ctx) {
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
} satisfies CommandRuns;
