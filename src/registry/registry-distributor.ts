import { createHash } from 'node:crypto';
import type { ImageDistributor } from '../engine/swarm/swarm-engine.js';
import { registryAuthHeaders, type RegistryAccess } from './registry-auth.js';
import type { RegistryClient } from './registry-client.js';

const DIGEST_REF = /@sha256:[0-9a-f]{64}$/;

/**
 * Every image a Swarm service runs goes through the registry first: pushed once per image id (the
 * push of an image the registry already has costs a manifest check), named by digest, so each node
 * pulls exactly those bytes — also a node that joins later, or one whose task Swarm reschedules.
 */
export class RegistryDistributor implements ImageDistributor {
  private readonly pushed = new Map<string, Promise<string>>();

  constructor(
    private readonly client: RegistryClient,
    private readonly access: RegistryAccess,
    /** The manager's image id of a reference (`docker image inspect`), null when it is not there. */
    private readonly imageId: (ref: string, signal?: AbortSignal) => Promise<string | null>,
  ) {}

  async distribute(image: string, signal?: AbortSignal): Promise<{ image: string; headers: Record<string, string> }> {
    const headers = registryAuthHeaders(this.access);
    if (DIGEST_REF.test(image)) return { image, headers };
    const id = (await this.imageId(image, signal)) ?? image;
    let ref = this.pushed.get(id);
    if (!ref) {
      ref = this.push(image, id, signal);
      this.pushed.set(id, ref);
      ref.catch(() => this.pushed.delete(id));
    }
    return { image: await ref, headers };
  }

  private async push(image: string, id: string, signal?: AbortSignal): Promise<string> {
    const { app, tag } = repositoryFor(image, id);
    return (await this.client.push(image, app, tag, signal ? { signal } : {})).ref;
  }
}

/**
 * `slipway/shop:build-12` → repository `shop`, tag `build-12`; anything else gets a name from its
 * last path part and a tag from its image id (both in the registry's charset).
 */
export function repositoryFor(image: string, id: string): { app: string; tag: string } {
  const short = createHash('sha256').update(id).digest('hex').slice(0, 12);
  const m = /^(?:[^/]+\/)*([a-z0-9][a-z0-9._-]*?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?$/.exec(image);
  const app = (m?.[1] ?? 'image').replace(/[._-]+$/, '') || 'image';
  return { app: app.slice(0, 60), tag: `${(m?.[2] ?? 'img').slice(0, 100)}-${short}` };
}
