import type { ContainerEngine, ContainerInfo } from '../engine/port.js';
import type { Store } from '../store/store.js';
import { SlipwayError } from '../core/errors.js';
import { LABELS, dynoName, ONE_OFF_PROCESSES, releaseOfLabels } from '../core/types.js';
import { execExitCode, killExecProcess, startExec } from '../engine/docker-exec.js';
import type { DockerEndpoint } from '../engine/docker-http.js';
import { isPlainContainerId } from '../engine/swarm/swarm-engine.js';
import type { TaskLocation } from '../engine/swarm/swarm-task-location.js';
import { openNodeDocker, type NodeDocker } from '../nodes/node-engines.js';
import type { StartedRun } from './run-service.js';

export interface ExecRequest {
  app: string;
  /** `web.1`, `worker.2`, `run.ab12cd`; default: the first web process, or the only process. */
  dyno?: string;
  command: string[];
  stdin: boolean;
  tty: boolean;
}

/** A command running in a process's container: `finish` is its exit code; `cancel` kills it. */
export interface StartedExec extends StartedRun {
  dyno: string;
}

const DYNO = /^[a-z][a-z0-9_-]{0,29}\.(\d{1,4}|[0-9a-f]{6})$/;

/**
 * `ps:exec`: runs a command inside a running container of the app (Docker's exec API), with the
 * container's own environment. Only containers of this app and this Slipway home are reachable (they
 * are found through the engine's scoped listing, never named by the client).
 */
export class ExecService {
  constructor(
    private readonly deps: {
      engine: ContainerEngine;
      store: Store;
      /** Opens a node's Docker endpoint (default openNodeDocker; tests pass a stand-in). */
      openNode?: (engineUrl: string) => Promise<NodeDocker>;
    },
  ) {}

  async start(req: ExecRequest): Promise<StartedExec> {
    const app = this.deps.store.apps.get(req.app);
    if (req.command.length === 0)
      throw new SlipwayError('INVALID_INPUT', 'no command to run', { hint: 'slipway ps:exec -a APP -- COMMAND…' });
    if (req.dyno !== undefined && !DYNO.test(req.dyno))
      throw new SlipwayError('INVALID_INPUT', `${JSON.stringify(req.dyno.slice(0, 40))} is not a process name`, {
        hint: 'name a process like web.1, worker.2 or run.ab12cd (see `slipway ps`)',
      });
    const running = (
      await this.deps.engine.listContainers({ [LABELS.app]: app.name, [LABELS.managed]: 'true' })
    ).filter((c) => c.state === 'running');
    const container = pickContainer(app.name, running, app.currentRelease, req.dyno);
    const dyno = dynoName(container.labels);
    const at = await this.reach(container.id, dyno);
    let session;
    try {
      session = await startExec(at.containerId, req.command, {
        stdin: req.stdin,
        tty: req.tty,
        ...(at.endpoint ? { endpoint: at.endpoint } : {}),
      });
    } catch (err) {
      await at.close();
      throw err;
    }
    const { execId, stream } = session;
    return {
      id: container.id,
      stream,
      tty: session.tty,
      dyno,
      release: releaseOfLabels(container.labels),
      finish: async () => {
        try {
          return await execExitCode(execId, at.endpoint);
        } finally {
          await at.close();
        }
      },
      cancel: async () => {
        stream.destroy();
        if (at.processesHere) await killExecProcess(at.containerId, execId, at.endpoint).catch(() => false);
        await at.close();
      },
    };
  }

  /** The Docker Engine that runs the container: the manager's, or (a Swarm task elsewhere) its node's. */
  private async reach(id: string, dyno: string): Promise<ExecTarget> {
    const locator = this.deps.engine as Partial<TaskLocator>;
    if (isPlainContainerId(id) || typeof locator.taskLocation !== 'function') return managerTarget(id);
    const where = execPlace(await locator.taskLocation(id, AbortSignal.timeout(LOCATE_TIMEOUT_MS)), dyno);
    if (where.on === 'manager') return managerTarget(where.containerId);
    const node = await (this.deps.openNode ?? openNodeDocker)(where.engineUrl);
    let closed: Promise<void> | undefined;
    return {
      containerId: where.containerId,
      endpoint: node.endpoint,
      processesHere: node.processesHere,
      close: () => (closed ??= node.close().catch(() => undefined)),
    };
  }
}

/** What can say where a Swarm service's task runs (the Swarm engine); a one-host engine has no such method. */
export interface TaskLocator {
  taskLocation(id: string, signal?: AbortSignal): Promise<TaskLocation>;
}

interface ExecTarget {
  containerId: string;
  /** Undefined: the manager's own engine (DOCKER_HOST). */
  endpoint?: DockerEndpoint;
  /** The exec's process is on this host (a local engine): it can be killed when the client leaves. */
  processesHere: boolean;
  close(): Promise<void>;
}

const LOCATE_TIMEOUT_MS = 30_000;

function managerTarget(containerId: string): ExecTarget {
  return { containerId, processesHere: true, close: async () => undefined };
}

export type ExecPlace = { on: 'manager'; containerId: string } | { on: 'node'; containerId: string; engineUrl: string };

/** Pure: where to exec into a Swarm task — the manager, a node Slipway can reach, or a clear refusal. */
export function execPlace(location: TaskLocation, dyno = 'this process'): ExecPlace {
  if (location.isManager) return { on: 'manager', containerId: location.containerId };
  if (location.engineUrl) return { on: 'node', containerId: location.containerId, engineUrl: location.engineUrl };
  throw new SlipwayError(
    'NODE_UNREACHABLE',
    `${dyno} runs on node ${location.nodeName}, whose Docker Slipway cannot reach`,
    {
      hint:
        `the node joined with the printed join command, so Slipway has no endpoint for it: join it with ` +
        '`slipway nodes:add --engine ssh://USER@HOST` (or unix:// / tcp://), or use `slipway run`, which works on any node',
      details: { node: location.nodeName, nodeId: location.nodeId },
    },
  );
}

/** The named process (its current-release container first), else web.1-first, else the only one. */
export function pickContainer(
  app: string,
  running: ContainerInfo[],
  currentRelease: number | null,
  dyno?: string,
): ContainerInfo {
  const current = `v${currentRelease}`;
  const order = (a: ContainerInfo, b: ContainerInfo) =>
    Number(b.labels[LABELS.release] === current) - Number(a.labels[LABELS.release] === current) ||
    Number(a.labels[LABELS.index]) - Number(b.labels[LABELS.index]) ||
    (b.startedAt ?? '').localeCompare(a.startedAt ?? '');
  const names = [...new Set(running.map((c) => dynoName(c.labels)))].sort();
  const listed = names.length > 0 ? `running: ${names.join(', ')}` : 'nothing is running';
  if (dyno !== undefined) {
    const match = running.filter((c) => dynoName(c.labels) === dyno).sort(order)[0];
    if (!match)
      throw new SlipwayError('NOT_FOUND', `${app} has no running process ${dyno}`, {
        hint: `${listed} (see \`slipway ps -a ${app}\`)`,
      });
    return match;
  }
  const web = running.filter((c) => c.labels[LABELS.process] === 'web').sort(order)[0];
  if (web) return web;
  const formation = running.filter((c) => !ONE_OFF_PROCESSES.has(c.labels[LABELS.process] ?? ''));
  if (formation.length === 1) return formation[0]!;
  if (formation.length === 0)
    throw new SlipwayError('NOT_FOUND', `${app} has no running process to run a command in`, {
      hint: `${listed}; start it (\`slipway ps:start -a ${app}\`) or use \`slipway run\` for a new container`,
    });
  throw new SlipwayError('INVALID_INPUT', `which process of ${app}? it has no web process and several others`, {
    hint: `name one: slipway ps:exec -a ${app} ${dynoName(formation[0]!.labels)} -- COMMAND… (${listed})`,
  });
}
