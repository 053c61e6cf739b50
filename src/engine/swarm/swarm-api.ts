import { SlipwayError, isSlipwayError } from '../../core/errors.js';
import type { DockerHttpClient } from '../docker-http.js';
import type { ContainerSpec } from '../port.js';
import { infoRequest } from '../docker-requests.js';
import {
  parseNode,
  parseNodeList,
  parseService,
  parseServiceList,
  parseTaskList,
  type SwarmNode,
  type SwarmService,
  type SwarmTask,
} from './swarm-parsers.js';
import {
  createServiceRequest,
  inspectNodeRequest,
  inspectServiceRequest,
  listNodesRequest,
  listServicesRequest,
  listTasksRequest,
  removeServiceRequest,
  updateServiceRequest,
  type RestartCondition,
} from './swarm-requests.js';
import { parseNodeDetailsList, parseSelfNodeId, type SwarmNodeDetails } from './swarm-task-location.js';

const UPDATE_ATTEMPTS = 5;

/** The manager's Swarm API, typed: services, tasks, nodes (node addresses cached: they do not change). */
export class SwarmApi {
  private readonly nodes = new Map<string, SwarmNode>();

  constructor(private readonly http: DockerHttpClient) {}

  /** `headers`: e.g. X-Registry-Auth, so that the nodes can pull a private image. */
  async createService(
    spec: ContainerSpec,
    restart: RestartCondition,
    signal?: AbortSignal,
    headers?: Record<string, string>,
  ): Promise<string> {
    try {
      const request = createServiceRequest(spec, restart);
      const withAuth = headers ? { ...request, headers: { ...request.headers, ...headers } } : request;
      const res = await this.http.json<{ ID?: unknown }>(withAuth, { signal });
      const id = res.body?.ID;
      if (typeof id !== 'string') throw new SlipwayError('INTERNAL', 'Docker created a service without an ID');
      return id;
    } catch (err) {
      throw createServiceError(err, spec);
    }
  }

  async service(id: string, signal?: AbortSignal): Promise<SwarmService | null> {
    const res = await this.http.json(inspectServiceRequest(id), { signal, accept: [404] });
    return res.status === 404 ? null : parseService(res.body);
  }

  async services(labels: Record<string, string | undefined>, signal?: AbortSignal): Promise<SwarmService[]> {
    return parseServiceList((await this.http.json(listServicesRequest(labels), { signal })).body);
  }

  async tasks(serviceIds: string[], signal?: AbortSignal): Promise<SwarmTask[]> {
    if (serviceIds.length === 0) return [];
    return parseTaskList((await this.http.json(listTasksRequest(serviceIds), { signal })).body);
  }

  async node(id: string, signal?: AbortSignal): Promise<SwarmNode | undefined> {
    const cached = this.nodes.get(id);
    if (cached) return cached;
    const res = await this.http.json(inspectNodeRequest(id), { signal, accept: [404] });
    if (res.status === 404) return undefined;
    const node = parseNode(res.body);
    this.nodes.set(id, node);
    return node;
  }

  /** Every node with its current state (not cached). */
  async listNodes(signal?: AbortSignal): Promise<SwarmNode[]> {
    return parseNodeList((await this.http.json(listNodesRequest(), { signal })).body);
  }

  /** Every node with its role, labels and availability, read now (labels change: not cached). */
  async nodeDetails(signal?: AbortSignal): Promise<SwarmNodeDetails[]> {
    return parseNodeDetailsList((await this.http.json(listNodesRequest(), { signal })).body);
  }

  /** The Swarm node id of the engine this client talks to ('' outside a Swarm). */
  async selfNodeId(signal?: AbortSignal): Promise<string> {
    return parseSelfNodeId((await this.http.json(infoRequest(), { signal })).body);
  }

  /** Sets the replica count; retried when another update came in between. False when the service is gone. */
  async scale(id: string, replicas: number, signal?: AbortSignal): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const service = await this.service(id, signal);
      if (!service) return false;
      if (service.replicas === replicas) return true;
      const spec = { ...service.spec, Mode: { Replicated: { Replicas: replicas } } };
      try {
        const res = await this.http.json(updateServiceRequest(id, service.version, spec), { signal, accept: [404] });
        return res.status !== 404;
      } catch (err) {
        if (attempt >= UPDATE_ATTEMPTS || !/out of sequence/i.test(errorMessage(err))) throw err;
      }
    }
  }

  /** No error when already gone. */
  async removeService(id: string, signal?: AbortSignal): Promise<void> {
    await this.http.json(removeServiceRequest(id), { signal, accept: [404] });
  }
}

function errorMessage(err: unknown): string {
  const message = isSlipwayError(err) ? err.details?.dockerMessage : undefined;
  return typeof message === 'string' ? message : err instanceof Error ? err.message : String(err);
}

function createServiceError(err: unknown, spec: ContainerSpec): unknown {
  const status = isSlipwayError(err) ? err.details?.status : undefined;
  if (status === 409) {
    return new SlipwayError('CONTAINER_FAILED', `service name ${spec.name} is already in use`, {
      hint: 'remove the old service first (`docker service rm NAME`) or use a new name',
      cause: err,
    });
  }
  if (status === 400) {
    return new SlipwayError('CONTAINER_FAILED', `cannot create service ${spec.name}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  if (status === 503) {
    return new SlipwayError('DOCKER_UNAVAILABLE', `the Swarm manager cannot create services: ${errorMessage(err)}`, {
      hint: 'the engine must be a Swarm manager with a quorum (`docker node ls`)',
      cause: err,
    });
  }
  return err;
}
