import { createHash } from 'node:crypto';
import type { DockerRequest } from '../../engine/docker-requests.js';
import type { IngressSettings } from '../../config/environment.js';

/** The ingress HAProxy: one global Swarm service, a task on each labelled node (never on the manager's own). */
export const INGRESS_SERVICE = 'slipway-ingress';
export const INGRESS_NODE_LABEL = 'slipway.ingress';
/** On the service and its secrets; not the scope label, so the Swarm engine never takes it for a dyno. */
export const INGRESS_OWNER_LABEL = 'slipway.ingress-of';
const SPEC_LABEL = 'slipway.ingress-spec';

export type IngressSecretKind = 'key' | 'cert' | 'ca';

export interface IngressSecret {
  kind: IngressSecretKind;
  /** Named by its content's hash: Swarm secrets cannot change, a new one is made. */
  name: string;
  data: string;
}

export function ingressSecret(kind: IngressSecretKind, data: string): IngressSecret {
  const hash = createHash('sha256').update(data).digest('hex').slice(0, 16);
  return { kind, name: `${INGRESS_SERVICE}-${kind}-${hash}`, data };
}

export function createSecretRequest(secret: IngressSecret, owner: string): DockerRequest {
  return {
    method: 'POST',
    path: '/secrets/create',
    body: {
      Name: secret.name,
      Labels: { [INGRESS_OWNER_LABEL]: owner },
      Data: Buffer.from(secret.data).toString('base64'),
    },
  };
}

export function listSecretsRequest(owner: string): DockerRequest {
  return {
    method: 'GET',
    path: '/secrets',
    query: { filters: JSON.stringify({ label: [`${INGRESS_OWNER_LABEL}=${owner}`] }) },
  };
}

export function removeSecretRequest(id: string): DockerRequest {
  return { method: 'DELETE', path: `/secrets/${encodeURIComponent(id)}` };
}

export interface IngressServiceInput {
  image: string;
  settings: IngressSettings;
  domain: string;
  owner: string;
  /** The manager's own node: it runs Slipway's HAProxy on the host already. */
  managerNodeId: string;
  secrets: Array<IngressSecret & { id: string }>;
}

/**
 * Global mode (one task per labelled node, started when a label appears, stopped when it goes), the host's
 * network (HAProxy binds the node's ports and reaches every task at its node's address, as the manager's
 * does), restarted by Swarm when it exits. An update stops the old task before it starts the new one: both
 * cannot bind the node's ports.
 */
export function ingressServiceSpec(input: IngressServiceInput): Record<string, unknown> {
  const { settings } = input;
  const spec = {
    Name: INGRESS_SERVICE,
    TaskTemplate: {
      ContainerSpec: {
        Image: input.image,
        Env: [
          `SLIPWAY_INGRESS_HTTP_PORT=${settings.httpPort}`,
          `SLIPWAY_INGRESS_HTTPS_PORT=${settings.httpsPort}`,
          `SLIPWAY_INGRESS_AGENT_PORT=${settings.agentPort}`,
          `SLIPWAY_DOMAIN=${input.domain}`,
        ],
        Secrets: input.secrets.map((s) => ({
          File: { Name: `${INGRESS_SERVICE}-${s.kind}`, UID: '0', GID: '0', Mode: 0o400 },
          SecretID: s.id,
          SecretName: s.name,
        })),
        StopGracePeriod: 10_000_000_000,
      },
      Networks: [{ Target: 'host' }],
      Placement: {
        Constraints: [`node.labels.${INGRESS_NODE_LABEL}==true`, `node.id!=${input.managerNodeId}`],
      },
      RestartPolicy: { Condition: 'any', Delay: 1_000_000_000 },
    },
    Mode: { Global: {} },
    UpdateConfig: { Parallelism: 1, Order: 'stop-first', FailureAction: 'pause' },
  };
  const hash = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);
  return { ...spec, Labels: { [INGRESS_OWNER_LABEL]: input.owner, [SPEC_LABEL]: hash } };
}

export function specHashOf(spec: Record<string, unknown>): string | undefined {
  return (spec['Labels'] as Record<string, string> | undefined)?.[SPEC_LABEL];
}
