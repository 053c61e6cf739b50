import path from 'node:path';
import { DockerEngine } from '../engine/docker-engine.js';
import { DockerHttpClient, parseDockerHost } from '../engine/docker-http.js';
import { createSwarmEngine } from '../engine/swarm/swarm-engine.js';
import type { SwitchableEngine } from '../engine/switchable-engine.js';
import { RegistryClient } from '../registry/registry-client.js';
import { RegistryDistributor } from '../registry/registry-distributor.js';
import { prepareSupervisedRegistry } from '../registry/registry-setup.js';
import type { RegistrySupervisor } from '../registry/registry-supervisor.js';
import { writeRegistryTrust } from '../registry/registry-trust.js';
import type { SecretBox } from '../store/secret-box.js';
import type { SwarmControl } from './swarm-control.js';
import type { IngressSettings } from '../config/environment.js';
import { IngressService, ingressDir } from './ingress/ingress-service.js';
import { LABELS } from '../core/types.js';

export interface SwarmModeOptions {
  /** This installation's engine, as the node commands see it. */
  local: SwarmControl;
  engines: SwitchableEngine;
  /** The scope labels of this home (the same as the one-host engine's). */
  scope: Record<string, string>;
  home: string;
  box: SecretBox;
  registryPort: number;
  registryAddress?: string;
  /** HAProxy on nodes labelled slipway.ingress=true; none when undefined. */
  ingress?: { settings: IngressSettings; domain: string };
  log: (message: string) => void;
}

/**
 * Swarm mode of a running server: when this installation's engine is a Swarm manager, Slipway's registry
 * runs (TLS from Slipway's CA, a generated user) and every container change goes through the Swarm engine,
 * which pushes each image to that registry and has the nodes pull it by digest. Nothing happens on one host.
 */
export class SwarmMode {
  private registry: RegistrySupervisor | undefined;
  /** The registry's address and CA, for servers that join by the printed command. */
  trust: { server: string; caPem: string } | undefined;
  /** The ingress nodes' HAProxy, once this is a Swarm. */
  ingress: IngressService | undefined;

  constructor(private readonly opts: SwarmModeOptions) {}

  get active(): boolean {
    return this.registry !== undefined;
  }

  /** Enters Swarm mode when the engine is a Swarm manager (at start, and after `nodes:add` made it one). */
  async enterIfSwarm(signal?: AbortSignal): Promise<boolean> {
    if (this.registry) return true;
    const state = await this.opts.local.state(signal);
    if (state.localState !== 'active' || !state.isManager) return false;
    const advertise = this.opts.registryAddress ?? hostOf(state.managerAddrs[0] ?? '');
    const registry = await prepareSupervisedRegistry({
      dir: path.join(this.opts.home, 'registry'),
      box: this.opts.box,
      advertise,
      port: this.opts.registryPort,
      log: (event) => this.opts.log(`registry: ${JSON.stringify(event)}`),
    });
    // The nodes of this machine's Docker read the CA here; remote nodes get it with their join command.
    await writeRegistryTrust(registry.access.server, registry.tls.caPem);
    await registry.supervisor.start(signal ?? AbortSignal.timeout(60_000));
    this.registry = registry.supervisor;
    this.trust = { server: registry.access.server, caPem: registry.tls.caPem };
    const endpoint = parseDockerHost(process.env['DOCKER_HOST']);
    const manager = new DockerEngine({ scopeLabels: this.opts.scope });
    const client = new RegistryClient(new DockerHttpClient({ endpoint }), registry.access);
    const images = new RegistryDistributor(client, registry.access, async (ref, s) => {
      return (await manager.inspectImage(ref, s))?.id ?? null;
    });
    this.opts.engines.use(createSwarmEngine({ manager: { scopeLabels: this.opts.scope }, images }));
    if (this.opts.ingress)
      this.ingress = new IngressService({
        http: new DockerHttpClient({ endpoint }),
        engine: manager,
        images,
        settings: this.opts.ingress.settings,
        domain: this.opts.ingress.domain,
        owner: this.opts.scope[LABELS.instance] ?? 'slipway',
        dir: ingressDir(this.opts.home),
        log: this.opts.log,
      });
    this.opts.log(`swarm mode: containers run as Swarm services; images go through ${registry.access.server}`);
    return true;
  }

  async stop(): Promise<void> {
    await this.registry?.stop();
    this.registry = undefined;
  }
}

/** `10.0.0.2:2377` → `10.0.0.2` */
function hostOf(addr: string): string {
  return addr.replace(/:\d+$/, '');
}
