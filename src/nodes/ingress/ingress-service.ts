import path from 'node:path';
import { SlipwayError } from '../../core/errors.js';
import type { IngressSettings } from '../../config/environment.js';
import type { DockerHttpClient } from '../../engine/docker-http.js';
import type { ContainerEngine } from '../../engine/port.js';
import type { ImageDistributor } from '../../engine/swarm/swarm-engine.js';
import { SwarmApi } from '../../engine/swarm/swarm-api.js';
import { updateServiceRequest } from '../../engine/swarm/swarm-requests.js';
import type { IngressEndpoint } from '../../router/ingress/fanout-router.js';
import type { ClientTls } from '../../router/ingress/remote-router.js';
import { ensureIngressImage } from './ingress-image.js';
import { ensureIngressTls } from './ingress-tls.js';
import {
  INGRESS_NODE_LABEL,
  INGRESS_SERVICE,
  createSecretRequest,
  ingressSecret,
  ingressServiceSpec,
  listSecretsRequest,
  removeSecretRequest,
  specHashOf,
  type IngressSecret,
} from './ingress-requests.js';

export interface IngressServiceOptions {
  /** The manager's Docker API. */
  http: DockerHttpClient;
  /** The manager's plain engine (the image is built there). */
  engine: ContainerEngine;
  images: ImageDistributor;
  settings: IngressSettings;
  domain: string;
  /** This installation's id (labels the service and its secrets). */
  owner: string;
  /** Where the channel's certificates are kept (`HOME/ingress`). */
  dir: string;
  log: (message: string) => void;
}

const RETRY_AFTER_FAILURE_MS = 30_000;

/**
 * HAProxy on the nodes labelled `slipway.ingress=true`: the first time such a node is seen, the ingress
 * image is built and pushed to the registry, its certificates become Swarm secrets and the global service
 * is created (or updated when Slipway's version of it changed). Swarm then starts and stops a task as
 * labels come and go; `endpoints()` lists the agents that run now.
 */
export class IngressService {
  private readonly api: SwarmApi;
  private ready: Promise<ClientTls> | undefined;
  private tls: ClientTls | undefined;
  private failedAt = 0;
  private failure: string | undefined;

  constructor(private readonly opts: IngressServiceOptions) {
    this.api = new SwarmApi(opts.http);
  }

  clientTls(): ClientTls | undefined {
    return this.tls;
  }

  /** Why the last set-up failed (retried every 30 s), undefined once it worked. */
  problem(): string | undefined {
    return this.failure;
  }

  /** The agents running now; sets the service up the first time a node carries the label. */
  async endpoints(signal?: AbortSignal): Promise<IngressEndpoint[]> {
    const nodes = await this.api.nodeDetails(signal);
    if (!nodes.some((n) => n.labels[INGRESS_NODE_LABEL] === 'true')) return [];
    if (!this.tls) {
      if (Date.now() - this.failedAt < RETRY_AFTER_FAILURE_MS) return [];
      await this.ensure(signal);
    }
    const running = (await this.api.tasks([INGRESS_SERVICE], signal)).filter(
      (t) => t.desiredState === 'running' && t.state === 'running' && t.nodeId,
    );
    const out: IngressEndpoint[] = [];
    for (const task of running) {
      const node = await this.api.node(task.nodeId!, signal);
      if (node?.address) out.push({ node: node.hostname, address: node.address, port: this.opts.settings.agentPort });
    }
    return out;
  }

  /** Certificates, image, secrets, service: once (again after a failure). */
  ensure(signal?: AbortSignal): Promise<ClientTls> {
    this.ready ??= this.setUp(signal).then(
      (tls) => {
        this.failure = undefined;
        return (this.tls = tls);
      },
      (err: unknown) => {
        this.ready = undefined;
        this.failedAt = Date.now();
        this.failure = err instanceof Error ? err.message : String(err);
        this.opts.log(`ingress: set-up failed (retried in 30 s): ${this.failure}`);
        throw err;
      },
    );
    return this.ready;
  }

  private async setUp(signal?: AbortSignal): Promise<ClientTls> {
    const { opts } = this;
    const started = Date.now();
    const tls = await ensureIngressTls(opts.dir);
    opts.log('ingress: building the ingress image (HAProxy and the agent)');
    const tag = await ensureIngressImage(opts.engine, opts.settings.baseImage, undefined, signal);
    const { image, headers } = await opts.images.distribute(tag, signal);
    const secrets = await this.secrets(
      [ingressSecret('key', tls.agent.key), ingressSecret('cert', tls.agent.cert), ingressSecret('ca', tls.ca)],
      signal,
    );
    const spec = ingressServiceSpec({
      image,
      settings: opts.settings,
      domain: opts.domain,
      owner: opts.owner,
      managerNodeId: await this.api.selfNodeId(signal),
      secrets,
    });
    await this.apply(spec, headers ?? {}, signal);
    await this.pruneSecrets(new Set(secrets.map((s) => s.id)), signal);
    opts.log(`ingress: service ${INGRESS_SERVICE} ready in ${Date.now() - started} ms (${image})`);
    return { ca: tls.ca, cert: tls.manager.cert, key: tls.manager.key };
  }

  private async secrets(wanted: IngressSecret[], signal?: AbortSignal) {
    const existing = await this.listSecrets(signal);
    const out: Array<IngressSecret & { id: string }> = [];
    for (const secret of wanted) {
      let id = existing.find((s) => s.name === secret.name)?.id;
      if (!id) {
        const res = await this.opts.http.json<{ ID?: string }>(createSecretRequest(secret, this.opts.owner), {
          signal,
        });
        id = res.body?.ID;
      }
      if (!id) throw new SlipwayError('INTERNAL', `Docker created secret ${secret.name} without an id`);
      out.push({ ...secret, id });
    }
    return out;
  }

  private async listSecrets(signal?: AbortSignal): Promise<Array<{ id: string; name: string }>> {
    const res = await this.opts.http.json<Array<{ ID?: string; Spec?: { Name?: string } }>>(
      listSecretsRequest(this.opts.owner),
      { signal },
    );
    return (res.body ?? []).map((s) => ({ id: s.ID ?? '', name: s.Spec?.Name ?? '' })).filter((s) => s.id);
  }

  /** Secrets of earlier versions of the service (Docker refuses to remove one still in use: that is fine). */
  private async pruneSecrets(keep: Set<string>, signal?: AbortSignal): Promise<void> {
    for (const s of await this.listSecrets(signal)) {
      if (!keep.has(s.id))
        await this.opts.http
          .json(removeSecretRequest(s.id), { signal, accept: [400, 404, 409] })
          .catch(() => undefined);
    }
  }

  private async apply(spec: Record<string, unknown>, headers: Record<string, string>, signal?: AbortSignal) {
    const current = await this.api.service(INGRESS_SERVICE, signal);
    if (current && specHashOf(current.spec as Record<string, unknown>) === specHashOf(spec)) return;
    if (current) {
      const request = updateServiceRequest(current.id, current.version, spec);
      await this.opts.http.json({ ...request, headers: { ...request.headers, ...headers } }, { signal });
      this.opts.log(`ingress: service ${INGRESS_SERVICE} updated (its tasks restart on each ingress node)`);
      return;
    }
    await this.opts.http.json({ method: 'POST', path: '/services/create', body: spec, headers }, { signal });
  }
}

export function ingressDir(home: string): string {
  return path.join(home, 'ingress');
}
