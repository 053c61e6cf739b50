import { SlipwayError } from '../core/errors.js';
import { DockerHttpClient, type DockerEndpoint } from '../engine/docker-http.js';
import type { DockerRequest } from '../engine/docker-requests.js';
import type {
  EngineSwarmState,
  NodeAvailability,
  NodeSpecChange,
  SwarmControl,
  SwarmInitSpec,
  SwarmJoinSpec,
  SwarmNode,
  TaskPlacement,
} from './swarm-control.js';
import * as req from './swarm-requests.js';
import { installRegistryCa } from './node-trust.js';

/** The SwarmControl port over the Docker Engine API (one engine: this installation's or a node's). */

interface RawNode {
  ID: string;
  Version?: { Index?: number };
  Spec?: { Name?: string; Labels?: Record<string, string>; Role?: string; Availability?: string };
  Description?: {
    Hostname?: string;
    Resources?: { NanoCPUs?: number; MemoryBytes?: number };
    Engine?: { EngineVersion?: string };
  };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Addr?: string };
}

interface RawInfo {
  Swarm?: {
    LocalNodeState?: string;
    NodeID?: string;
    ControlAvailable?: boolean;
    RemoteManagers?: { NodeID: string; Addr: string }[] | null;
  };
  LiveRestoreEnabled?: boolean;
  ServerVersion?: string;
  Name?: string;
  NCPU?: number;
  MemTotal?: number;
}

interface RawTask {
  NodeID?: string;
  ServiceID?: string;
  DesiredState?: string;
  Status?: { State?: string };
}

interface RawService {
  ID: string;
  Spec?: { Name?: string; Labels?: Record<string, string> };
}

export function parseNode(raw: RawNode): SwarmNode {
  const managerAddr = raw.ManagerStatus?.Addr?.replace(/:\d+$/, '');
  return {
    id: raw.ID,
    name: raw.Description?.Hostname ?? raw.ID.slice(0, 12),
    address: raw.Status?.Addr && raw.Status.Addr !== '0.0.0.0' ? raw.Status.Addr : (managerAddr ?? ''),
    role: raw.Spec?.Role === 'manager' ? 'manager' : 'worker',
    state: raw.Status?.State ?? 'unknown',
    availability: (raw.Spec?.Availability ?? 'active') as NodeAvailability,
    leader: raw.ManagerStatus?.Leader === true,
    labels: { ...(raw.Spec?.Labels ?? {}) },
    engineVersion: raw.Description?.Engine?.EngineVersion ?? '',
    cpus: (raw.Description?.Resources?.NanoCPUs ?? 0) / 1e9,
    memoryBytes: raw.Description?.Resources?.MemoryBytes ?? 0,
  };
}

export function parseInfo(raw: RawInfo): EngineSwarmState {
  const swarm = raw.Swarm ?? {};
  return {
    localState: swarm.LocalNodeState || 'inactive',
    nodeId: swarm.NodeID ?? '',
    isManager: swarm.ControlAvailable === true,
    managerAddrs: (swarm.RemoteManagers ?? []).map((m) => m.Addr),
    liveRestore: raw.LiveRestoreEnabled === true,
    serverVersion: raw.ServerVersion ?? '',
    hostname: raw.Name ?? '',
    cpus: raw.NCPU ?? 0,
    memoryBytes: raw.MemTotal ?? 0,
  };
}

export class DockerSwarmControl implements SwarmControl {
  private readonly http: DockerHttpClient;
  readonly where: string;

  private readonly onClose: (() => Promise<void>) | undefined;

  /** `where` names the engine in messages (default: the endpoint); `onClose` runs on close() (an ssh bridge). */
  constructor(
    endpoint: DockerEndpoint,
    opts: { timeoutMs?: number; where?: string; onClose?: () => Promise<void> } = {},
  ) {
    this.http = new DockerHttpClient({ endpoint, timeoutMs: opts.timeoutMs ?? 30_000 });
    this.where =
      opts.where ??
      ('socketPath' in endpoint ? `unix://${endpoint.socketPath}` : `tcp://${endpoint.host}:${endpoint.port}`);
    this.onClose = opts.onClose;
  }

  async close(): Promise<void> {
    await this.onClose?.();
  }

  private async call<T>(request: DockerRequest, signal?: AbortSignal, accept: number[] = []): Promise<T | undefined> {
    try {
      return (await this.http.json<T>(request, { ...(signal ? { signal } : {}), accept })).body;
    } catch (err) {
      throw swarmError(err, this.where);
    }
  }

  async state(signal?: AbortSignal): Promise<EngineSwarmState> {
    return parseInfo((await this.call<RawInfo>({ method: 'GET', path: '/info' }, signal)) ?? {});
  }

  async init(spec: SwarmInitSpec, signal?: AbortSignal): Promise<string> {
    const id = await this.call<string>(req.swarmInitRequest(spec), signal);
    return typeof id === 'string' ? id.trim().replace(/^"|"$/g, '') : '';
  }

  async workerJoinToken(signal?: AbortSignal): Promise<string> {
    const swarm = await this.call<{ JoinTokens?: { Worker?: string } }>(req.swarmInspectRequest(), signal);
    const token = swarm?.JoinTokens?.Worker;
    if (!token) throw new SlipwayError('INTERNAL', `the Swarm manager at ${this.where} gave no worker join token`);
    return token;
  }

  async join(spec: SwarmJoinSpec, signal?: AbortSignal): Promise<void> {
    await this.call(req.swarmJoinRequest(spec), signal);
  }

  async leave(force: boolean, signal?: AbortSignal): Promise<void> {
    await this.call(req.swarmLeaveRequest(force), signal, [503]);
  }

  async nodes(signal?: AbortSignal): Promise<SwarmNode[]> {
    return ((await this.call<RawNode[]>(req.listNodesRequest(), signal)) ?? []).map(parseNode);
  }

  async node(id: string, signal?: AbortSignal): Promise<SwarmNode | undefined> {
    const raw = await this.rawNode(id, signal);
    return raw ? parseNode(raw) : undefined;
  }

  private async rawNode(id: string, signal?: AbortSignal): Promise<RawNode | undefined> {
    const res = await this.http
      .json<RawNode>(req.inspectNodeRequest(id), { ...(signal ? { signal } : {}), accept: [404] })
      .catch((err: unknown) => {
        throw swarmError(err, this.where);
      });
    return res.status === 404 ? undefined : res.body;
  }

  async updateNode(id: string, change: NodeSpecChange, signal?: AbortSignal): Promise<void> {
    const raw = await this.rawNode(id, signal);
    if (!raw) throw new SlipwayError('NOT_FOUND', `node ${id} is no longer in the Swarm`);
    const spec = raw.Spec ?? {};
    const body: req.NodeSpecBody = {
      ...(spec.Name ? { Name: spec.Name } : {}),
      Labels: change.labels ?? spec.Labels ?? {},
      Role: spec.Role === 'manager' ? 'manager' : 'worker',
      Availability: change.availability ?? ((spec.Availability ?? 'active') as NodeAvailability),
    };
    await this.call(req.updateNodeRequest(id, raw.Version?.Index ?? 0, body), signal);
  }

  async installRegistryCa(trust: { server: string; caPem: string }, signal?: AbortSignal): Promise<void> {
    try {
      await installRegistryCa(this.http, trust, signal);
    } catch (err) {
      throw new SlipwayError('INTERNAL', `could not make ${this.where} trust the registry ${trust.server}`, {
        hint: `copy this server's /etc/docker/certs.d/${trust.server}/ca.crt to the same path there, then retry`,
        cause: err,
      });
    }
  }

  async removeNode(id: string, force: boolean, signal?: AbortSignal): Promise<void> {
    await this.call(req.removeNodeRequest(id, force), signal);
  }

  async runningTasks(signal?: AbortSignal): Promise<TaskPlacement[]> {
    const [tasks, services] = await Promise.all([
      this.call<RawTask[]>(req.tasksRequest(), signal),
      this.call<RawService[]>(req.listServicesRequest(), signal),
    ]);
    const byId = new Map((services ?? []).map((s) => [s.ID, s.Spec ?? {}]));
    return (tasks ?? [])
      .filter((t) => t.NodeID && t.Status?.State === 'running')
      .map((t) => ({
        nodeId: t.NodeID!,
        serviceId: t.ServiceID ?? '',
        serviceName: byId.get(t.ServiceID ?? '')?.Name ?? t.ServiceID ?? '',
        serviceLabels: { ...(byId.get(t.ServiceID ?? '')?.Labels ?? {}) },
      }));
  }
}

/** Docker's Swarm answers (503 "not a swarm manager", 406 "not part of a swarm", …) with a hint. */
function swarmError(err: unknown, where: string): unknown {
  if (!(err instanceof SlipwayError) || err.code !== 'INTERNAL') return err;
  const status = err.details?.['status'];
  const message = String(err.details?.['dockerMessage'] ?? err.message);
  if (status === 503 && /not a swarm manager|not part of a swarm/i.test(message))
    return new SlipwayError('SERVER_UNAVAILABLE', `the engine at ${where} is not a Swarm manager: ${message}`, {
      hint: 'add a node first (`slipway nodes:add`), which turns this installation into a Swarm',
      cause: err,
      details: err.details,
    });
  return err;
}
