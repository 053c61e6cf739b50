import { freePort, type Harness } from '../e2e/harness.js';
import { removeRegistryTrust } from '../../src/registry/registry-trust.js';
import type { SwarmLab } from './swarm-lab.js';

export { assertClean } from '../e2e/load.js';

/** A row of `slipway ps --json`, as the Swarm tests read it. */
export interface PsRow {
  dyno: string;
  release: string;
  state: string;
  router?: string;
  node?: string;
}

export async function psRows(h: Harness, app: string): Promise<PsRow[]> {
  return (JSON.parse((await h.ok('ps', '-a', app, '--json')).stdout) as { processes: PsRow[] }).processes;
}

/** The web processes in rotation (HAProxy says UP). */
export async function servingWeb(h: Harness, app: string): Promise<PsRow[]> {
  return (await psRows(h, app)).filter((p) => p.dyno.startsWith('web.') && p.router === 'UP');
}

/** Polls `check` (errors count as "not yet") until it holds, or fails after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The env of a Slipway server whose engine is the lab's manager and whose registry the lab's nodes reach. */
export async function labServerEnv(lab: SwarmLab): Promise<{ env: NodeJS.ProcessEnv; registry: string }> {
  const port = await freePort();
  return {
    env: {
      DOCKER_HOST: lab.manager.host,
      SLIPWAY_REGISTRY_ADDRESS: lab.hostAddress,
      SLIPWAY_REGISTRY_PORT: String(port),
    },
    registry: `${lab.hostAddress}:${port}`,
  };
}

/** `app` with four web processes of the lab's web image (short drain and stop: the tests move them a lot). */
export async function deployLabApp(h: Harness, app: string): Promise<void> {
  await h.ok('apps:create', app);
  await h.ok('apps:settings:set', '-a', app, 'drain.timeout=5s', 'stop.grace=2s');
  await h.ok('deploy', '-a', app, '--image', 'slipway-lab/web:1');
  await h.ok('ps:scale', '-a', app, 'web=4');
}

/** Server, registry trust, lab: all gone (each step even when an earlier one failed). */
export async function tearDownLab(h: Harness | undefined, registry: string, lab: SwarmLab | undefined) {
  await h?.destroy();
  if (registry) await removeRegistryTrust(registry).catch(() => undefined);
  await lab?.destroy();
}
