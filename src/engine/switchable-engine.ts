import type { ContainerEngine } from './port.js';

/**
 * The one engine every service holds, whose implementation can change while the server runs: the
 * one-host Docker engine until the installation becomes a Swarm, then the Swarm adapter (which also
 * still answers for the plain containers on the manager, so running apps can move over).
 */
export interface SwitchableEngine {
  engine: ContainerEngine;
  current(): ContainerEngine;
  use(next: ContainerEngine): void;
}

export function switchableEngine(initial: ContainerEngine): SwitchableEngine {
  let target = initial;
  const engine = new Proxy({} as ContainerEngine, {
    get(_, prop) {
      const value = (target as unknown as Record<string | symbol, unknown>)[prop];
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    has(_, prop) {
      return prop in target;
    },
  });
  return {
    engine,
    current: () => target,
    use(next) {
      target = next;
    },
  };
}
